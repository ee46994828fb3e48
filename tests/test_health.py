from mallconsole import create_app


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_database_unreachable(tmp_path):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_is_a_friendly_404(client):
    from bs4 import BeautifulSoup

    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = BeautifulSoup(response.data, "html.parser")
    assert page.find("h1").get_text(strip=True) == "Not found"
    assert "Traceback" not in response.get_data(as_text=True)
