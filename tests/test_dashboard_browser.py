"""The dashboard in a real browser: Debian's chromium driven by Selenium against a live server on 127.0.0.1.

Needs ``chromium`` and ``chromium-driver`` (one Debian source, so their versions match) and selenium (the test
extra); ``.ci/run`` installs them. Outside CI a missing browser skips with the install command; under
``CI=true`` it fails. The browser reaches no host but loopback (``--host-resolver-rules``), and every test
ends by reading its console: a script error or a blocked inline script (a CSP violation) fails it.

``MOCKGRAPH_UPDATE_SCREENSHOT=1`` rewrites docs/dashboard.png, the README's screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from _signup_servers import wsgi_server
from flask import Flask, request

from mockgraph import create_app, make_pkcs12
from mockgraph.admin import guard
from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_PASSWORD,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
)
from mockgraph.server.threaded import MockGraphServer
from mockgraph.web.state import state_of
from tests.support import basic_auth, client_credentials_form, connector_body, password_form, pkcs12_auth

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "dashboard.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver"
CONNECTORS = "/beta/identity/apiConnectors"
OTHER_TENANT = "c7c0ffee-0000-4000-8000-0000000000d3"
OTHER_APP = "d1c0ffee-0000-4000-8000-0000000000e4"
WAIT_SECONDS = 10.0  # the live parts poll every 2 s
TIMEOUT = 10.0


def chrome_or_skip() -> None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing = "selenium (pip install -e '.[test]')"
    else:
        missing = (
            "" if CHROMIUM.exists() and CHROMEDRIVER.exists() else f"chromium and chromium-driver ({INSTALL})"
        )
    if missing:
        message = f"the dashboard's browser tests need {missing}; .ci/run installs them"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chrome_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        # Loopback only: every host but localhost and 127.0.0.1 fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look for a driver online
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The browser, its logs drained before the test; after it, no console error (script or CSP) allowed."""
    browser.get_log("browser")
    browser.get_log("performance")
    yield browser
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


@contextmanager
def served(app: Flask) -> Iterator[str]:
    server = MockGraphServer(app).start()
    try:
        yield server.url
    finally:
        server.stop()


def wait_until(driver: Any, condition: Callable[[Any], Any], message: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1).until(condition, message)


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def one(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def choose(driver: Any, selector: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(one(driver, selector)).select_by_value(value)


def fill(driver: Any, selector: str, text: str) -> None:
    field = one(driver, selector)
    field.clear()
    field.send_keys(text)


def bearer(app: Flask, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {state_of(app).gatekeeper.tokens.mint(**claims)}"}


def network_events(driver: Any) -> list[dict[str, Any]]:
    """The DevTools Network events since the last read (Chrome's performance log)."""
    events = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            events.append(message)
    return events


# The live views -------------------------------------------------------------------------------------------


def test_a_created_connector_appears_on_the_state_page_without_a_reload(page: Any) -> None:
    app = create_app({"auth_mode": "off"})
    with served(app) as base:
        page.get(f"{base}/_mockgraph/dashboard/state")
        assert "No API connectors." in one(page, "main").text
        created = requests.post(
            base + CONNECTORS,
            json=connector_body("Appears live", auth=basic_auth("svc", "pw")),
            timeout=TIMEOUT,
        ).json()
        row = wait_until(
            page,
            lambda d: css(d, f'tr.connector[data-id="{created["id"]}"]'),
            "the new connector never appeared",
        )[0]
        assert "Appears live" in row.text
        assert "basic · svc / ******" in row.text
        assert one(page, "#live-status").text == "live, every 2 s"


def test_a_refused_request_shows_the_rule_that_refused_it(page: Any) -> None:
    app = create_app({"auth_mode": "enforce"})
    with served(app) as base:
        allowed = requests.get(base + CONNECTORS, headers=bearer(app), timeout=TIMEOUT)
        page.get(f"{base}/_mockgraph/")
        refused = requests.get(
            base + CONNECTORS, headers=bearer(app, roles=["User.Read.All"]), timeout=TIMEOUT
        )
        assert (allowed.status_code, refused.status_code) == (200, 403)
        selector = f'tr[data-request-id="{refused.headers["request-id"]}"]'
        row = wait_until(page, lambda d: css(d, selector), "the refused request never appeared")[0]
        decision = row.find_element("css selector", "td.decision").text
        assert (
            decision
            == "refused: roles claim holds none of APIConnectors.Read.All, APIConnectors.ReadWrite.All"
        )
        assert "roles: User.Read.All" in row.text
        choose(page, 'select[name="status"]', "403")
        one(page, "form.filters button").click()
        wait_until(page, lambda d: "status=403" in d.current_url, "the filter was not applied")
        assert [r.get_attribute("data-request-id") for r in css(page, "tbody tr")] == [
            refused.headers["request-id"]
        ]
        one(page, "tbody tr td.path a").click()
        findings = wait_until(page, lambda d: css(d, "ul.findings"), "no detail page")[0].text
        assert "refused: roles claim holds none of APIConnectors.Read.All" in findings
        assert (
            f"LIST_CONNECTORS accepts any one application permission of {READ_ALL}, {READ_WRITE_ALL}"
            in findings
        )


# Actions --------------------------------------------------------------------------------------------------


def test_a_fault_toggled_in_the_page_changes_the_next_response(page: Any) -> None:
    app = create_app({"auth_mode": "off"})
    with served(app) as base:
        page.get(f"{base}/_mockgraph/dashboard/actions")
        network_events(page)
        choose(page, '#fault-form select[name="operation"]', "LIST_CONNECTORS")
        choose(page, '#fault-form select[name="status"]', "503")
        fill(page, '#fault-form input[name="count"]', "1")
        one(page, "#add-fault").click()
        wait_until(page, lambda d: css(d, "li.fault-rule"), "the rule never showed")
        failed = requests.get(base + CONNECTORS, timeout=TIMEOUT)
        answered = requests.get(base + CONNECTORS, timeout=TIMEOUT)
        assert (failed.status_code, answered.status_code) == (503, 200)
        assert failed.headers["x-mockgraph-reason"] == "injected fault: rule 0 (next 1 call(s))"
        wait_until(
            page, lambda d: "(0 left)" in one(d, "#fault-rules").text, "the rule's counter never moved"
        )
        sent = [
            e["params"]["request"]
            for e in network_events(page)
            if e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["method"] == "PUT"
        ]
        assert sent
        assert sent[0]["url"] == f"{base}/_mockgraph/faults"
        assert sent[0]["headers"]["X-MockGraph-CSRF"] == guard.csrf_token(app)
        assert json.loads(sent[0]["postData"]) == {
            "rules": [{"operation": "LIST_CONNECTORS", "status": 503, "count": 1}]
        }
        one(page, "button.remove-fault").click()
        wait_until(
            page, lambda d: "No fault rules" in one(d, "#fault-rules").text, "the rule was not removed"
        )
        assert not state_of(app).faults.active


def connector_app() -> Flask:
    """A sign-up API that continues, or refuses a postal code that is not all digits."""
    target = Flask("signup-api")

    @target.post("/api/validate")
    def validate() -> Any:
        body = request.get_json()
        if body.get("step") == "PostFederationSignup" or body.get("postalCode", "").isdigit():
            return {"version": "1.0.0", "action": "Continue"}
        return {
            "version": "1.0.0",
            "status": 400,
            "action": "ValidationError",
            "userMessage": "Bad postal code.",
        }, 400

    return target


def test_a_signup_simulation_runs_and_shows_each_call(page: Any) -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    with wsgi_server(connector_app()) as target, served(app) as base:
        connector = client.post(
            CONNECTORS, json=connector_body("Sign-up API", f"{target}/api/validate")
        ).get_json()
        client.post(
            "/beta/identity/b2cUserFlows",
            json={"id": "SignUp", "userFlowType": "signUp", "userFlowTypeVersion": 3},
        )
        for step in ("postFederationSignup", "postAttributeCollection"):
            ref = f"/beta/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/{step}/$ref"
            assert client.put(ref, json={"@odata.id": connector["id"]}).status_code == 204
        page.get(f"{base}/_mockgraph/dashboard/actions")
        one(page, "#simulate").click()
        wait_until(
            page, lambda d: len(css(d, "#simulation section.call")) == 2, "the simulation never showed"
        )
        first, second = css(page, "#simulation section.call")
        assert first.find_element("css selector", "h3").text == "PostFederationSignup: continue"
        assert '"step": "PostFederationSignup"' in first.text
        assert "Response: HTTP 200" in first.text
        assert second.find_element("css selector", "h3").text == "PostAttributeCollection: continue"
        assert "The sign-up completed." in one(page, "#simulation").text

        choose(page, '#simulate-form select[name="step"]', "postAttributeCollection")
        fill(page, '#simulate-form textarea[name="user"]', json.dumps({"entered": {"postalCode": "ABC"}}))
        one(page, "#simulate").click()
        wait_until(
            page,
            lambda d: "validationError" in one(d, "#simulation").text,
            "the refused step never showed",
        )
        (call,) = css(page, "#simulation section.call")
        assert "User sees\nBad postal code." in call.text
        assert '"postalCode": "ABC"' in call.text
        assert "Response: HTTP 400" in call.text


def test_reset_seed_and_a_minted_token_from_the_page(page: Any, tmp_path: Path) -> None:
    app = create_app({"auth_mode": "enforce"})
    state = state_of(app)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connectors": [connector_body("Seeded from a file")]}), encoding="utf-8")
    with served(app) as base:
        page.get(f"{base}/_mockgraph/dashboard/actions")
        page.execute_cdp_cmd(
            "Browser.grantPermissions",
            {"origin": base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
        )
        one(page, "#seed-file").send_keys(str(seed))
        one(page, "#seed").click()
        wait_until(page, lambda d: one(d, "#seed-result").text, "the seed never answered")
        assert one(page, "#seed-result").text == (
            "Seeded seed.json: 0 tenant(s), 0 app(s), 0 user(s), 1 object(s)."
        )
        assert state.store.count(DEFAULT_TENANT_ID, "apiConnectors") == 1

        fill(page, '#token-form input[name="roles"]', READ_ALL)
        one(page, "#mint").click()
        box = wait_until(
            page, lambda d: one(d, "#token-value").get_attribute("value") and one(d, "#token-value"), ""
        )
        token = box.get_attribute("value")
        listed = requests.get(
            base + CONNECTORS, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
        )
        assert listed.status_code == 200
        assert len(listed.json()["value"]) == 1
        assert state.journal.entries()[-1].principal is not None
        assert state.journal.entries()[-1].principal["roles"] == [READ_ALL]
        assert token not in json.dumps(state.journal.export())  # shown once, journaled never
        one(page, "#copy-token").click()
        copied = page.execute_async_script(
            "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, () => done(null));"
        )
        assert copied == token

        one(page, "#reset").click()
        wait_until(page, lambda d: _alert(d), "no confirmation asked").accept()
        wait_until(page, lambda d: one(d, "#reset-result").text, "the reset never answered")
        assert one(page, "#reset-result").text == "Reset: the emulator holds no Graph objects now."
        assert state.store.count(DEFAULT_TENANT_ID, "apiConnectors") == 0
        page.get(f"{base}/_mockgraph/")
        assert token not in page.page_source


def _alert(driver: Any) -> Any:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        return driver.switch_to.alert
    except NoAlertPresentException:
        return None


# No secret ------------------------------------------------------------------------------------------------


def test_no_secret_reaches_the_page_or_any_response_it_fetched(page: Any) -> None:
    app = create_app({"auth_mode": "enforce"})
    basic_password = "basic-password-Xq7"
    pfx, pfx_password = make_pkcs12(password="pfx-password-Zr4"), "pfx-password-Zr4"
    uploaded = make_pkcs12(password="upload-password-Mw2")
    client_secret, user_password = "client-secret-Hb9", "user-password-Kd5"
    seed = {
        "tenants": [{"tenantId": OTHER_TENANT}],
        "apps": [
            {
                "clientId": OTHER_APP,
                "clientSecret": client_secret,
                "tenantId": OTHER_TENANT,
                "applicationPermissions": [READ_WRITE_ALL],
                "delegatedScopes": [READ_WRITE_ALL],
            }
        ],
        "users": [
            {
                "username": "admin@other.example",
                "password": user_password,
                "objectId": "d1c0ffee-0000-4000-8000-0000000000e5",
                "tenantId": OTHER_TENANT,
                "directoryRoles": [GLOBAL_ADMINISTRATOR],
            }
        ],
        "connectors": {
            OTHER_TENANT: [connector_body("Seeded basic", auth=basic_auth("svc", basic_password))]
        },
    }
    with served(app) as base:
        assert requests.post(f"{base}/_mockgraph/seed", json=seed, timeout=TIMEOUT).status_code == 200
        token_url = f"{base}/{OTHER_TENANT}/oauth2/v2.0/token"
        app_token = requests.post(
            token_url,
            data=client_credentials_form(OTHER_APP, client_secret),
            timeout=TIMEOUT,
        ).json()["access_token"]
        user_token = requests.post(
            token_url, data=password_form("admin@other.example", user_password, OTHER_APP), timeout=TIMEOUT
        ).json()["access_token"]
        wrong_secret = requests.post(
            token_url, data=client_credentials_form(OTHER_APP, "wrong-secret-Pt3"), timeout=TIMEOUT
        )
        default_token = requests.post(
            f"{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
            data=client_credentials_form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            timeout=TIMEOUT,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {app_token}"}
        certificate = requests.post(
            base + CONNECTORS,
            json=connector_body("Cert", auth=pkcs12_auth(pfx)),
            headers=headers,
            timeout=TIMEOUT,
        ).json()
        upload = {"pkcs12Value": uploaded.base64, "password": uploaded.password}
        requests.post(
            f"{base}{CONNECTORS}/{certificate['id']}/uploadClientCertificate",
            json=upload,
            headers=headers,
            timeout=TIMEOUT,
        )
        requests.post(  # refused (no displayName): a refused body's secret must not show either
            base + CONNECTORS,
            json={
                "targetUrl": "https://x.example",
                "authenticationConfiguration": basic_auth("u", basic_password),
            },
            headers=headers,
            timeout=TIMEOUT,
        )
        requests.get(f"{base}{CONNECTORS}?access_token={app_token}", timeout=TIMEOUT)
        requests.get(base + CONNECTORS, headers={"Authorization": f"Bearer {user_token}"}, timeout=TIMEOUT)
        requests.get(base + CONNECTORS, headers={"Authorization": f"Bearer {default_token}"}, timeout=TIMEOUT)
        secrets = {
            "basic password": basic_password,
            "PKCS#12 blob": pfx.base64,
            "part of the PKCS#12 blob": pfx.base64[len(pfx.base64) // 2 :][:48],
            "PKCS#12 password": pfx_password,
            "uploaded blob": uploaded.base64[:48],
            "uploaded password": uploaded.password,
            "client secret": client_secret,
            "wrong client secret": "wrong-secret-Pt3",
            "user password": user_password,
            "app token": app_token,
            "user token": user_token,
            "default app's secret": DEFAULT_CLIENT_SECRET,
            "default user's password": DEFAULT_USER_PASSWORD,
        }
        assert wrong_secret.status_code == 401
        assert certificate["id"]
        network_events(page)
        documents: dict[str, str] = {}
        page.get(f"{base}/_mockgraph/")
        links = [a.get_attribute("href") for a in css(page, "tbody td.path a")]
        assert len(links) >= 9
        bodies = _response_bodies(page)
        for url in [
            *links,
            f"{base}/_mockgraph/dashboard/state",
            f"{base}/_mockgraph/dashboard/actions",
            f"{base}/_mockgraph/",
        ]:
            page.get(url)
            documents[url] = page.execute_script("return document.documentElement.outerHTML")
            bodies.update(_response_bodies(page))
        wait_until(page, _polled, "the list never polled")
        documents["polled list"] = page.execute_script("return document.documentElement.outerHTML")
        bodies.update(_response_bodies(page))
        assert any("/dashboard/live/requests" in url for url in bodies)
        assert any(url.startswith(f"{base}/_mockgraph/dashboard/static/dashboard.js ") for url in bodies)
        assert len(bodies) >= len(links) + 5
        assert "Seeded basic" in documents[f"{base}/_mockgraph/dashboard/state"]
        for name, secret in secrets.items():
            for where, text in [*documents.items(), *bodies.items()]:
                assert secret not in text, f"the {name} is in {where}"


def _polled(driver: Any) -> bool:
    """Whether the page has fetched one of its live parts (read from the page, not the performance log)."""
    script = "return performance.getEntriesByType('resource').some(e => e.name.includes('/dashboard/live/'))"
    return bool(driver.execute_script(script))


def _response_bodies(driver: Any) -> dict[str, str]:
    """Every response body the page received since the last read, keyed by request id and URL."""
    events = network_events(driver)
    urls = {
        e["params"]["requestId"]: e["params"]["response"]["url"]
        for e in events
        if e["method"] == "Network.responseReceived"
    }
    bodies: dict[str, str] = {}
    for request_id, url in urls.items():
        try:
            got = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        except Exception as error:
            raise AssertionError(f"the body of {url} could not be read: {error}") from None
        text = (
            base64.b64decode(got["body"]).decode("utf-8", "replace") if got["base64Encoded"] else got["body"]
        )
        bodies[f"{url} ({request_id})"] = text
    return bodies


# The README's screenshot ----------------------------------------------------------------------------------


def test_the_readme_shows_a_screenshot_of_the_requests_page(page: Any, tmp_path: Path) -> None:
    """Taken of a typical session; written to docs/ only with MOCKGRAPH_UPDATE_SCREENSHOT=1."""
    app = create_app({"auth_mode": "enforce"})
    with served(app) as base:
        headers = bearer(app)
        created = requests.post(
            base + CONNECTORS, json=connector_body("Loyalty check"), headers=headers, timeout=TIMEOUT
        )
        requests.get(base + CONNECTORS, headers=headers, timeout=TIMEOUT)
        requests.get(
            f"{base}{CONNECTORS}/{created.json()['id']}",
            headers=bearer(app, kind="user", scp=READ_ALL, wids=[GLOBAL_ADMINISTRATOR]),
            timeout=TIMEOUT,
        )
        requests.post(base + CONNECTORS, json={"displayName": "No target"}, headers=headers, timeout=TIMEOUT)
        requests.delete(
            f"{base}{CONNECTORS}/{created.json()['id']}",
            headers=bearer(app, roles=[READ_ALL]),
            timeout=TIMEOUT,
        )
        state_of(app).faults.fail_next(1, status=429, operation="LIST_CONNECTORS", retry_after=2)
        requests.get(base + CONNECTORS, headers=headers, timeout=TIMEOUT)
        requests.get(
            f"{base}{CONNECTORS}/0b5e0000-0000-4000-8000-000000000000", headers=headers, timeout=TIMEOUT
        )
        requests.get(base + CONNECTORS, timeout=TIMEOUT)
        page.set_window_size(1400, 760)
        page.get(f"{base}/_mockgraph/")
        wait_until(
            page, lambda d: one(d, "#live-status").text == "live, every 2 s", "the page never went live"
        )
        shot = tmp_path / "dashboard.png"
        assert page.save_screenshot(str(shot))
        page.set_window_size(1400, 1000)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("MOCKGRAPH_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](docs/dashboard.png)" in (ROOT / "README.md").read_text(encoding="utf-8")
