"""Facebook Pages on the Graph API: facebook-sdk (`facebook.GraphAPI`) against the sandbox.

facebook-sdk has no base-URL setting: every request goes to its module constant
`facebook.FACEBOOK_GRAPH_URL` plus the path. That constant is the narrowest route to the
sandbox, so the `graph` fixture sets it (with pytest's `monkeypatch`, undone after each test)
and changes nothing else: requests, token handling (facebook-sdk sends `access_token` as a query
or form parameter, never as a header) and error parsing (`GraphAPIError`) are the library's
own.

facebook-sdk 3.1 only accepts Graph versions up to 3.1 (`VALID_API_VERSIONS`); the sandbox
answers any `v{major}.{minor}`, so the paths are `/v3.1/...`.
"""

import itertools

import facebook
import pytest

SANDBOX_TOKEN = "sandbox"
VERSION = "3.1"

_pages = itertools.count(1)


def fresh_page():
    """A page of its own per test: the sandbox's hourly budget is counted per page."""
    return f"1099{next(_pages):08d}"


@pytest.fixture
def graph_url(sandbox, monkeypatch):
    # See the module's docstring: facebook-sdk offers no base-URL setting.
    monkeypatch.setattr(facebook, "FACEBOOK_GRAPH_URL", sandbox.base_url + "/")


def graph(token=SANDBOX_TOKEN):
    return facebook.GraphAPI(access_token=token, version=VERSION, timeout=10)


def test_a_page_post_and_its_insights(sandbox, graph_url):
    page = fresh_page()
    posted = graph().put_object(page, "feed", message="Flood warning: stay indoors.")
    post_id = posted["id"]
    assert post_id.startswith(f"{page}_")
    received = [r for r in sandbox.received("facebook") if r["platform_id"] == post_id]
    assert len(received) == 1
    assert received[0]["text"] == "Flood warning: stay indoors."
    assert "access_token" not in received[0]["body"], "the record never keeps the token"

    metrics = "post_total_media_view_unique,post_clicks"
    insights = graph().get_object(f"{post_id}/insights", metric=metrics)
    assert [m["name"] for m in insights["data"]] == metrics.split(",")
    for metric in insights["data"]:
        assert metric["period"] == "lifetime"
        assert isinstance(metric["values"][0]["value"], int)
        assert metric["id"] == f"{post_id}/insights/{metric['name']}/lifetime"
    # The same read through the generic `request`.
    again = graph().request(f"v{VERSION}/{post_id}/insights", {"metric": metrics})
    assert [m["name"] for m in again["data"]] == metrics.split(",")


def test_no_token_is_code_190(sandbox, graph_url):
    # facebook-sdk refuses to write without a token itself, so the read goes without one.
    post_id = graph().put_object(fresh_page(), "feed", message="Token check.")["id"]
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph(token=None).get_object(f"{post_id}/insights", metric="post_clicks")
    assert raised.value.code == 190
    assert raised.value.type == "OAuthException"
    assert "access token" in raised.value.message


def test_an_unknown_metric_is_code_100(sandbox, graph_url):
    page = fresh_page()
    post_id = graph().put_object(page, "feed", message="Metric check.")["id"]
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph().get_object(f"{post_id}/insights", metric="post_impressions_made_up")
    assert raised.value.code == 100
    assert raised.value.type == "OAuthException"


def test_the_same_message_twice_is_a_duplicate(sandbox, graph_url):
    page = fresh_page()
    graph().put_object(page, "feed", message="Shelter open at the school.")
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph().put_object(page, "feed", message="Shelter open at the school.")
    assert raised.value.code == 506
    assert "Duplicate" in raised.value.message


def test_the_pages_hourly_budget_is_code_32(sandbox, graph_url):
    page = fresh_page()
    post_id = graph().put_object(page, "feed", message="Budget check.")["id"]
    calls = 1
    with pytest.raises(facebook.GraphAPIError) as raised:
        # 200 calls an hour per page, the sandbox's default, as the Pages API documents.
        for _ in range(250):
            graph().get_object(f"{post_id}/insights", metric="post_clicks")
            calls += 1
    assert calls == 200
    assert raised.value.code == 32
    assert "request limit" in raised.value.message


def test_server_errors_are_graph_errors(sandbox, graph_url):
    sandbox.faults(rate_5xx=1.0)
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph().put_object(fresh_page(), "feed", message="During an outage.")
    assert raised.value.code == 2
    assert raised.value.result["error"]["is_transient"] is True
    assert raised.value.result["error"]["fbtrace_id"]


def test_an_unknown_path_answers_in_graphs_shape(sandbox, graph_url):
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph().request(f"v{VERSION}/{fresh_page()}/no_such_edge")
    assert raised.value.code == 2500
    assert raised.value.type == "OAuthException"
    assert raised.value.message == "Unknown path components: /no_such_edge"
    with pytest.raises(facebook.GraphAPIError) as raised:
        graph().get_object("987654321")
    assert raised.value.code == 100
    assert raised.value.result["error"]["error_subcode"] == 33
