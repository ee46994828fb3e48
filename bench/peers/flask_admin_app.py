"""Flask-Admin over the console's support cases: the read-only list a generic admin tool makes
of the existing table (nothing created or altered), served by ``start("flask-admin", ...)``.

    PEER_DATABASE_URL=postgresql+psycopg://… gunicorn flask_admin_app:app
"""

from __future__ import annotations

import os

from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String

db = SQLAlchemy()


class SupportCase(db.Model):
    """The columns of ``shopping_mall_support_cases`` that the list shows or filters on."""

    __tablename__ = "shopping_mall_support_cases"

    id = db.Column(String(36), primary_key=True)
    case_number = db.Column(String, nullable=False, unique=True)
    subject = db.Column(String, nullable=False)
    status = db.Column(String, nullable=False)
    priority = db.Column(String, nullable=False)
    created_at = db.Column(DateTime(timezone=True), nullable=False)


class SupportCaseView(ModelView):
    can_create = False
    can_edit = False
    can_delete = False
    simple_list_pager = True  # no count of the rows
    page_size = 20
    column_list = ("case_number", "subject", "status", "priority", "created_at")
    column_default_sort = [("created_at", True), ("id", True)]  # newest first
    column_searchable_list = ("case_number",)
    column_filters = ("status", "priority")
    named_filter_urls = True  # ?flt0_status_equals=open


def create_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["SECRET_KEY"] = os.environ.get("PEER_SECRET_KEY", "bench-peer-flask-admin")
    db.init_app(app)
    admin = Admin(app, name="Support cases")
    admin.add_view(SupportCaseView(SupportCase, db.session, name="Cases", endpoint="cases"))
    return app


app = create_app(os.environ["PEER_DATABASE_URL"])
