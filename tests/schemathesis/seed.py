"""Gives Schemathesis real things to work on: uploads the project's campaign through the API
(as its author would) and prints `NAME=value` lines for schemathesis.toml's placeholders: the
version's hash, the campaign's id and a configured account's channel."""

import json
import pathlib
import sys
import urllib.request

base, token, project = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])


def call(method, path, body=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


campaign_file = next((project / "campaigns").glob("*.toml"))
campaign_id = campaign_file.stem
translations = {
    path.parent.name: path.read_text()
    for path in (project / "locales").glob(f"*/{campaign_id}.ftl")
}
uploaded = call(
    "POST",
    "/api/v1/campaigns",
    {"campaign": campaign_file.read_text(), "translations": translations},
)
accounts = call("GET", "/api/v1/accounts")["accounts"]
print(f"PROBE_VERSION={uploaded['version']}")
print(f"PROBE_CAMPAIGN={campaign_id}")
print(f"PROBE_CHANNEL={accounts[0]['channel']}")
print(f"PROBE_CREDENTIAL={next(iter(accounts[0]['credentials']))}")
