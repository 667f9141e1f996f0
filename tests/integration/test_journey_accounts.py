"""Accounts, journey by journey, in a real browser against the real server: an administrator disables,
enables and resets a user; an advisor manages only their cluster's firm users; a user changes their own
password."""

from __future__ import annotations

import re
from datetime import date

import pytest
from apikit import PASSWORD
from webkit import artefacts, new_page, require_chromium, sign_in

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"
OWN_PASSWORD = "stretch-bent roof rails 2027"


@pytest.fixture(scope="module")
def seed_matches() -> bool:
    return False


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_an_admin_disables_enables_and_resets_a_user(browser, workspace):
    admin, vejle = new_page(browser, workspace, 1400), new_page(browser, workspace, 1400)
    sign_in(vejle, "vejle")
    expect(vejle.locator("header .who")).to_contain_text("vejle")
    sign_in(admin, "admin")
    admin.click("header nav >> text=Users")
    expect(admin).to_have_url(re.compile(r"/users$"))
    row = admin.locator("#user-vejle")
    expect(row).to_contain_text("dk-vejle-praecision")
    expect(row).to_contain_text("active")
    shot(admin, "accounts-01-users.png")

    row.locator("button:text('Disable')").click()
    expect(admin.locator(".flash")).to_contain_text("Account 'vejle' disabled")
    expect(admin.locator("#user-vejle")).to_contain_text("disabled")
    shot(admin, "accounts-02-user-disabled.png")
    vejle.reload()  # the session ends with the account
    expect(vejle).to_have_url(re.compile(r"/login\?next="))
    sign_in(vejle, "vejle")
    expect(vejle.locator(".message.error")).to_contain_text("unknown user or wrong password")
    shot(vejle, "accounts-03-disabled-cannot-sign-in.png")

    admin.locator("#user-vejle button:text('Enable')").click()
    expect(admin.locator(".flash")).to_contain_text("Account 'vejle' enabled")
    admin.locator("#user-vejle button:text('Reset password')").click()
    box = admin.locator("#temporary-password")
    expect(box).to_contain_text("Temporary password for vejle")
    temporary = box.locator("code").inner_text().strip()
    assert len(temporary) >= 20
    shot(admin, "accounts-04-temporary-password.png")
    admin.goto("/users")  # shown once: not on the page again
    expect(admin.locator("#temporary-password")).to_have_count(0)
    assert temporary not in admin.content()

    sign_in(vejle, "vejle")  # the old password no longer works
    expect(vejle.locator(".message.error")).to_contain_text("unknown user or wrong password")
    sign_in(vejle, "vejle", temporary)
    vejle.click("header .who")
    expect(vejle).to_have_url(re.compile(r"/account$"))
    vejle.fill("input[name=current_password]", temporary)
    vejle.fill("input[name=new_password]", OWN_PASSWORD)
    vejle.fill("input[name=confirm]", OWN_PASSWORD)
    vejle.click("#password-form button")
    expect(vejle.locator(".flash")).to_contain_text("Your password is changed")
    for page in (admin, vejle):
        page.context.close()


def test_an_advisor_manages_only_their_clusters_firm_users(browser, workspace):
    advisor = new_page(browser, workspace, 1400)
    sign_in(advisor, "dac-advisor")
    advisor.click("header nav >> text=Users")
    users = advisor.locator("#users")
    expect(users).to_contain_text("nordalu")
    expect(users).not_to_contain_text("valdres")  # another cluster's firm user
    expect(advisor.locator("#user-nordalu button:text('Disable')")).to_have_count(1)
    expect(advisor.locator("#user-dac-advisor")).to_contain_text("your account")
    shot(advisor, "accounts-05-advisor-users.png")
    firm = new_page(browser, workspace, 1400)
    sign_in(firm, "valdres")
    expect(firm.locator("header nav >> text=Users")).to_have_count(0)
    firm.goto("/users")
    expect(firm.locator("h1")).to_contain_text("Not allowed")
    for page in (advisor, firm):
        page.context.close()


def test_a_user_changes_their_own_password(browser, workspace):
    page = new_page(browser, workspace, 1400)
    sign_in(page, "nordalu")
    page.click("header .who")
    expect(page.locator("h1")).to_contain_text("Your account")
    page.fill("input[name=current_password]", "not my password")
    page.fill("input[name=new_password]", "password1234")
    page.fill("input[name=confirm]", "password1234")
    page.click("#password-form button")
    expect(page.locator(".message.error")).to_contain_text("Your password is unchanged")
    expect(page.locator("[data-for=current_password]")).to_contain_text("not your current password")
    expect(page.locator("[data-for=new_password]")).to_contain_text("most common passwords")
    shot(page, "accounts-06-password-refused.png")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", OWN_PASSWORD)
    page.fill("input[name=confirm]", OWN_PASSWORD)
    page.click("#password-form button")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    shot(page, "accounts-07-password-changed.png")
    page.click("text=Sign out")
    sign_in(page, "nordalu")
    expect(page.locator(".message.error")).to_contain_text("unknown user or wrong password")
    sign_in(page, "nordalu", OWN_PASSWORD)
    expect(page.locator("header .who")).to_contain_text("nordalu")
    page.context.close()
