"""The admin Jobs screen in a real browser: pages, filters, keys, run now."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in_browser import sign_in

pytestmark = pytest.mark.e2e


def rows(page):
    return page.locator("#listing table.list-table tbody tr")


def test_an_admin_pages_filters_and_runs_a_job(page):
    sign_in(page, "admin@demo.mall")
    page.goto("/admin/jobs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
    expect(rows(page)).to_have_count(50)
    expect(page.locator("#listing .count")).to_have_text("60")

    # the next page comes through htmx and lands in the address bar; back returns
    page.get_by_role("link", name="Next →").click()
    expect(rows(page)).to_have_count(10)
    expect(page).to_have_url(re.compile(r"after="))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"after="))
    expect(rows(page)).to_have_count(50)

    # a filter reloads the list in place and is kept in the URL
    page.get_by_label("Result").select_option("failed")
    expect(page).to_have_url(re.compile(r"result=failed"))
    expect(rows(page)).to_have_count(12)
    expect(rows(page).first).to_contain_text("Failed")
    page.reload()
    expect(rows(page)).to_have_count(12)
    page.get_by_role("link", name="Clear filters").click()
    expect(rows(page)).to_have_count(50)

    # run a job now: the message shows, and the new run heads the list
    page.locator('#jobs tr[data-job="refresh-ratings"]').get_by_role("button").click()
    expect(page.locator("#messages")).to_contain_text("a run was started")
    expect(rows(page).first.locator(".person")).to_have_attribute("title", "admin@demo.mall")
    expect(rows(page).first).to_contain_text("Succeeded")
    expect(page.locator("#listing .count")).to_have_text("61")

    # keys: j selects the first row, Enter opens it
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(rows(page).first).to_have_class(re.compile("selected"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/jobs/runs/"))
    expect(page.locator(".facts .person")).to_have_attribute("title", "admin@demo.mall")
    page.wait_for_load_state("load")  # the key script runs once the page has loaded
    page.keyboard.press("?")
    expect(page.locator("#key-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#key-help")).to_be_hidden()
