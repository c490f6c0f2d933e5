"""The README's Node.js recipe, run exactly as it is written, against ``mockgraph serve --tls``.

The script is cut from the README between its markers, so the README cannot drift from what runs. It needs
``node`` (>= 20) and ``npm ci`` in ``tests/node`` (``.ci/run`` does both); outside CI a missing Node skips
with the commands to run, under ``CI=true`` it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgraph import make_pkcs12
from tests._serve_process import ServeProcess

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "tests" / "node"
MARKERS = re.compile(r"<!-- node-recipe:start -->\s*```js\n(?P<code>.*?)```\s*<!-- node-recipe:end -->", re.S)


def recipe() -> str:
    found = MARKERS.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "the README's Node recipe markers are missing"
    return found.group("code")


def node_or_skip() -> str:
    node = shutil.which("node")
    ready = node is not None and (NODE_DIR / "node_modules" / "@azure" / "identity").is_dir()
    if not ready:
        message = "needs node >= 20 and `npm ci --prefix tests/node` (.ci/run installs both)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    tmp_path = tmp_path_factory.mktemp("node-https")
    with ServeProcess(tmp_path, "--tls", "--tls-dir", str(tmp_path / "tls")) as process:
        yield process


def test_the_readme_node_recipe_runs_every_step(https_server: ServeProcess, tmp_path: Path) -> None:
    node = node_or_skip()
    script = NODE_DIR / f"recipe-{os.getpid()}.mjs"  # inside tests/node, so its node_modules resolve
    script.write_text(recipe(), encoding="utf-8")
    bundle = make_pkcs12(password="pfx-password")
    pfx = tmp_path / "client.pfx"
    pfx.write_bytes(bundle.der)
    assert https_server.ca_file is not None
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(https_server.ca_file),
        "MOCKGRAPH_URL": https_server.url,
        "MOCKGRAPH_PFX": str(pfx),
        "MOCKGRAPH_PFX_PASSWORD": bundle.password,
    }
    try:
        result = subprocess.run([node, str(script)], env=env, capture_output=True, text=True, timeout=120)
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["listed"] == 1
    assert report["fetched"] == "Node API"
    assert report["count"] == 1
    assert report["uploaded"] == "#microsoft.graph.clientCertificateAuthentication"
    assert report["firstPageLink"] is True
    assert report["paged"] == 4  # the first connector and three more, two per page
    assert report["notFound"] == {"status": 404, "code": "Request_ResourceNotFound"}
    # The emulator saw the PATCH and the upload: the connector's last state before the delete.
    log = https_server.logs()
    assert "PATCH /beta/identity/apiConnectors/" in log
    assert "uploadClientCertificate" in log
