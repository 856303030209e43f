"""X API v2 through tweepy 4.17's `Client`, against the sandbox: posting with OAuth 1.0a user
context (the signature the sandbox verifies is the one oauthlib computes, the library tweepy
signs with), post lookups with `tweet.fields` and `expansions`, and X's refusals as the
exceptions tweepy raises for them.

Pointing tweepy at the sandbox: `Client` has no base-URL setting in 4.17 (`request()` writes
`https://api.twitter.com` into every URL). The narrowest documented route is the `session`
attribute the `Client` docstring documents (a `requests.Session`) and requests' documented
transport adapters (`Session.mount`): `RelayToSandbox` below is mounted for
`https://api.twitter.com/` and forwards each request, already signed by tweepy, to the
sandbox as a TLS-terminating relay would: same path and query, `Host: api.twitter.com`, and
`X-Forwarded-Proto: https`. The sandbox rebuilds the signed URL from those two headers, so the
signature tweepy made for `https://api.twitter.com/2/tweets` verifies unchanged. tweepy itself
is not modified.
"""

import base64
import json
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
import requests
import tweepy

from conftest import SANDBOX_SECRET

TWEEPY_HOST = "https://api.twitter.com"


class RelayToSandbox(requests.adapters.HTTPAdapter):
    """Sends what tweepy addressed to X's host to the sandbox, as a TLS-terminating relay:
    the request is untouched but for where it goes and the two headers saying where it was
    meant to go."""

    def __init__(self, sandbox_url):
        super().__init__()
        self.sandbox_url = sandbox_url

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.url = self.sandbox_url + parts.path + (f"?{parts.query}" if parts.query else "")
        request.headers["Host"] = parts.netloc
        request.headers["X-Forwarded-Proto"] = parts.scheme
        return super().send(request, **kwargs)


def relayed(client, sandbox):
    client.session.mount(TWEEPY_HOST + "/", RelayToSandbox(sandbox.base_url))
    return client


def user_client(sandbox, access_token="1001-herald-conformance", secret=SANDBOX_SECRET):
    """A client acting for one user with OAuth 1.0a (the secrets are the sandbox's)."""
    return relayed(
        tweepy.Client(
            consumer_key="herald-conformance-app",
            consumer_secret=secret,
            access_token=access_token,
            access_token_secret=secret,
        ),
        sandbox,
    )


def app_only_token(sandbox):
    """An app-only bearer token from the sandbox's `POST /oauth2/token` (client credentials,
    as X's application-only authentication page describes)."""
    basic = base64.b64encode(f"herald-conformance-app:{SANDBOX_SECRET}".encode()).decode()
    request = urllib.request.Request(
        sandbox.base_url + "/oauth2/token",
        data=b"grant_type=client_credentials",
        method="POST",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["token_type"] == "bearer"
    return answer["access_token"]


def unique(text):
    """X refuses the same text twice in a day: every test posts its own."""
    return f"{text} #{time.time_ns()}"


def test_create_tweet_with_user_context(sandbox):
    client = user_client(sandbox)
    text = unique("Know your options: https://example.org/return")
    response = client.create_tweet(text=text)
    assert response.errors == []
    post = response.data
    assert post["text"] == text
    assert post["id"].isdigit() and len(post["id"]) == 19
    assert post["edit_history_tweet_ids"] == [post["id"]]
    posted = [r for r in sandbox.received("x") if r["platform_id"] == post["id"]]
    assert len(posted) == 1 and posted[0]["delivered"]
    assert posted[0]["account"].startswith("token-")
    # Neither the access token nor a secret reaches the record.
    assert "herald-conformance" not in json.dumps(sandbox.received("x"))


def test_lookups_parse_into_tweets(sandbox):
    client = user_client(sandbox, access_token="1002-lookups")
    first = client.create_tweet(text=unique("first")).data["id"]
    second = client.create_tweet(text=unique("second")).data["id"]

    # One post, signed with OAuth 1.0a: the query (with its comma) is part of the signature.
    one = client.get_tweet(
        first,
        tweet_fields=["created_at", "public_metrics", "author_id"],
        expansions=["author_id"],
        user_auth=True,
    )
    tweet = one.data
    assert isinstance(tweet, tweepy.Tweet)
    assert tweet.id == int(first)
    assert tweet.text.startswith("first")
    assert tweet.edit_history_tweet_ids == [int(first)]
    assert tweet.created_at is not None and tweet.created_at.tzinfo is not None
    assert abs(tweet.created_at.timestamp() - time.time()) < 300
    assert set(tweet.public_metrics) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }
    assert [user.id for user in one.includes["users"]] == [tweet.author_id]

    # Several, with a user's OAuth 2.0 bearer token (any bearer not shaped like an app-only one).
    bearer = relayed(tweepy.Client(bearer_token="user-access-token"), sandbox)
    many = bearer.get_tweets([first, second], tweet_fields=["created_at", "public_metrics"])
    assert [t.id for t in many.data] == [int(first), int(second)]
    assert all(t.public_metrics is not None and t.created_at is not None for t in many.data)
    assert many.errors == []

    # An app-only token may read.
    reader = relayed(tweepy.Client(bearer_token=app_only_token(sandbox)), sandbox)
    assert reader.get_tweet(first).data.id == int(first)


def test_unknown_tweets_answer_errors_not_exceptions(sandbox):
    client = user_client(sandbox, access_token="1003-unknown")
    missing = "1000000000000000001"
    one = client.get_tweet(missing, user_auth=True)
    assert one.data is None
    assert one.errors[0]["title"] == "Not Found Error"
    assert one.errors[0]["resource_id"] == missing
    assert one.errors[0]["parameter"] == "id"
    assert one.errors[0]["type"] == "https://api.twitter.com/2/problems/resource-not-found"

    known = client.create_tweet(text=unique("known")).data["id"]
    some = client.get_tweets([known, missing], user_auth=True)
    assert [t.id for t in some.data] == [int(known)]
    assert [e["value"] for e in some.errors] == [missing]

    with pytest.raises(tweepy.BadRequest) as bad:
        client.get_tweet("not-a-number", user_auth=True)
    assert "is not valid" in str(bad.value)
    with pytest.raises(tweepy.BadRequest):
        client.get_tweet(known, tweet_fields=["no_such_field"], user_auth=True)


def test_app_only_bearer_cannot_post(sandbox):
    client = relayed(tweepy.Client(bearer_token=app_only_token(sandbox)), sandbox)
    with pytest.raises(tweepy.Forbidden) as refused:
        client.create_tweet(text=unique("app only"), user_auth=False)
    answer = refused.value.response.json()
    assert answer["title"] == "Unsupported Authentication"
    assert answer["type"] == "https://api.twitter.com/2/problems/unsupported-authentication"
    assert answer["status"] == 403
    assert "OAuth 2.0 Application-Only is forbidden" in refused.value.api_messages[0]


def test_bad_signatures_are_unauthorized(sandbox):
    with pytest.raises(tweepy.Unauthorized):
        user_client(sandbox, secret="not-the-secret").create_tweet(text=unique("forged"))
    # Without the relay's headers the signed URL (https://api.twitter.com/...) is not the one
    # the sandbox received: the signature covers the host and scheme.
    plain = user_client(sandbox)
    plain.session.mount(TWEEPY_HOST + "/", _NoForwardedHeaders(sandbox.base_url))
    with pytest.raises(tweepy.Unauthorized):
        plain.create_tweet(text=unique("wrong host"))
    assert not any(
        r["text"].startswith(("forged", "wrong host")) and r["delivered"]
        for r in sandbox.received("x")
    )


class _NoForwardedHeaders(RelayToSandbox):
    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.url = self.sandbox_url + parts.path
        return requests.adapters.HTTPAdapter.send(self, request, **kwargs)


def test_duplicate_and_too_long(sandbox):
    client = user_client(sandbox, access_token="1004-refusals")
    text = unique("said once")
    client.create_tweet(text=text)
    with pytest.raises(tweepy.Forbidden) as duplicate:
        client.create_tweet(text=text)
    assert duplicate.value.api_messages == [
        "You are not allowed to create a Tweet with duplicate content."
    ]
    # 150 CJK characters weigh 300 > 280.
    with pytest.raises(tweepy.BadRequest) as too_long:
        client.create_tweet(text="你" * 150)
    assert any("too long" in message for message in too_long.value.api_messages)
    assert too_long.value.response.json()["title"] == "Invalid Request"


def test_too_many_requests_carries_the_rate_headers(sandbox):
    client = user_client(sandbox, access_token="1005-throttled")
    sandbox.faults(rate_429=1.0)
    with pytest.raises(tweepy.TooManyRequests) as throttled:
        client.create_tweet(text=unique("storm"))
    error = throttled.value
    assert error.api_codes == [88]
    assert error.api_messages == ["Rate limit exceeded"]
    headers = error.response.headers
    assert int(headers["x-rate-limit-remaining"]) == 0
    assert int(headers["x-rate-limit-limit"]) > 0
    # tweepy reads the reset (Unix seconds) from the header.
    assert abs(int(headers["x-rate-limit-reset"]) - time.time()) < 60


def test_server_errors_raise_twitter_server_error(sandbox):
    client = user_client(sandbox, access_token="1006-busy")
    sandbox.faults(rate_5xx=1.0)
    with pytest.raises(tweepy.TwitterServerError) as failed:
        client.create_tweet(text=unique("busy"))
    assert failed.value.response.status_code in (500, 502, 503)
    with pytest.raises(tweepy.TwitterServerError):
        client.get_tweet("1000000000000000001", user_auth=True)
