"""Viber's official Python SDK (viberbot 1.0.12) against the sandbox's Viber REST bot API.

The SDK has no setting for its base URL: `viberbot.api.consts.VIBER_BOT_API_URL` is copied
into the `ApiRequestSender` when `Api` is built. The narrowest route is that sender's
`_viber_bot_api_url` attribute, set once on each `Api` (see `bot`); nothing else of the SDK
is touched. Everything else (the JSON it sends, `auth_token` in the body rather than the
`X-Viber-Auth-Token` header, no `Content-Type`, its `verify_signature` and `parse_request`)
is the SDK as shipped.

Where the SDK and Viber's documentation disagree:
- the SDK sends the token as `auth_token` in the body; the documentation asks for the
  `X-Viber-Auth-Token` header. Viber takes both, so the sandbox does, and herald uses the
  header;
- the SDK reads `event_types` from the answer to `set_webhook` also when it removes the
  webhook (`unset_webhook`); the documentation shows no answer for a removal. The sandbox
  answers `event_types` there too, so the SDK can remove a webhook at all;
- the SDK has no broadcast call; `/pa/broadcast_message` is tested by herald's own adapter
  (`tests/it/viber_fixtures.rs` and the sandbox tests), not here.
"""

import json

import pytest
import requests
from viberbot import Api
from viberbot.api.bot_configuration import BotConfiguration
from viberbot.api.messages import TextMessage
from viberbot.api.viber_requests import (
    ViberConversationStartedRequest,
    ViberDeliveredRequest,
    ViberFailedRequest,
    ViberMessageRequest,
    ViberSeenRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
)
from viberbot.api.viber_requests.viber_request import ViberRequest

TOKEN = "4453b6ac1s345678-e02c5f12174805f9-9d3a6e3d4a5b6c7d"
SIGNATURE = "X-Viber-Content-Signature"


def bot(sandbox, token=TOKEN, name="Herald sandbox"):
    """An `Api` sending to the sandbox: the SDK's only way is the request sender's URL."""
    api = Api(BotConfiguration(auth_token=token, name=name, avatar=None))
    api._request_sender._viber_bot_api_url = sandbox.base_url + "/pa"
    return api


def next_event(api, receiver, timeout=10):
    """The next webhook the sandbox sent: signature checked and body parsed by the SDK."""
    path, headers, body = receiver.next(timeout)
    assert path == "/viber"
    # Header names are case-insensitive; the receiver keeps them as they came.
    [signature] = [value for name, value in headers.items() if name.lower() == SIGNATURE.lower()]
    assert api.verify_signature(body, signature), "signature must verify"
    assert not api.verify_signature(body + b" ", signature)
    event = api.parse_request(body)
    raw = json.loads(body)
    # Viber documents `timestamp` as epoch milliseconds and `message_token` as a number.
    assert isinstance(event.timestamp, int) and event.timestamp > 10**12
    if "message_token" in raw:
        assert isinstance(raw["message_token"], int)
    return event, raw


def hooked(api, sandbox, receiver):
    """Registers the receiver with the SDK's `set_webhook`; answers the handshake event."""
    api.set_webhook(receiver.url + "/viber")
    event, raw = next_event(api, receiver)
    return event, raw


def delivery(sandbox, undeliverable=(), read_rate=0.0):
    return sandbox.call(
        "PUT",
        "/sandbox/delivery",
        {"undeliverable": list(undeliverable), "read_rate": read_rate},
    )


@pytest.fixture(autouse=True)
def quiet_delivery(sandbox):
    """Nothing undeliverable and nothing read unless a test says so, before and after."""
    delivery(sandbox)
    yield
    delivery(sandbox, read_rate=0.5)


def test_account_info_has_the_documented_fields(sandbox):
    info = bot(sandbox).get_account_info()
    assert info["status"] == 0 and info["status_message"] == "ok"
    for field, kind in {
        "id": str,
        "name": str,
        "uri": str,
        "icon": str,
        "background": str,
        "category": str,
        "subcategory": str,
        "location": dict,
        "country": str,
        "webhook": str,
        "event_types": list,
        "subscribers_count": int,
        "members": list,
    }.items():
        assert isinstance(info[field], kind), field
    assert info["id"].startswith("pa:")
    assert TOKEN not in json.dumps(info), "the token is never echoed"
    assert set(info["location"]) == {"lat", "lon"}
    assert {"id", "name", "avatar", "role"} <= set(info["members"][0])


def test_set_webhook_sends_a_signed_webhook_event_first(sandbox, receiver):
    api = bot(sandbox, token=TOKEN + "-hook")
    event_types = api.set_webhook(receiver.url + "/viber")
    assert event_types == [
        "delivered",
        "seen",
        "failed",
        "subscribed",
        "unsubscribed",
        "conversation_started",
    ]
    event, raw = next_event(api, receiver)
    assert type(event) is ViberRequest and event.event_type == "webhook"
    assert set(raw) == {"event", "timestamp", "chat_hostname", "message_token"}
    info = api.get_account_info()
    assert info["webhook"] == receiver.url + "/viber"
    assert info["event_types"] == event_types

    # Only the events asked for are listed (the sandbox still sends all, see PARTNERS.md).
    assert api.set_webhook(receiver.url + "/viber", ["delivered", "seen"]) == ["delivered", "seen"]
    next_event(api, receiver)
    assert api.get_account_info()["event_types"] == ["delivered", "seen"]

    api.unset_webhook()
    info = api.get_account_info()
    assert info["webhook"] == "" and info["event_types"] == []


def test_set_webhook_refuses_a_url_that_does_not_answer_200(sandbox):
    api = bot(sandbox)
    # Port 9 (discard) on the loopback: nothing answers there.
    with pytest.raises(Exception, match=r"failed with status: 1, message: invalidUrl"):
        api.set_webhook("http://127.0.0.1:9/viber")


def test_send_messages_returns_viber_message_tokens(sandbox):
    sandbox.call("DELETE", "/sandbox/received")
    api = bot(sandbox)
    tokens = api.send_messages(
        "send-user-1=",
        [
            TextMessage(text="Boil water before drinking"),
            # Viber documents `tracking_data` on every message; herald sends none, the sandbox
            # takes it as Viber does.
            TextMessage(text="Second", tracking_data="campaign-7"),
        ],
    )
    assert len(tokens) == 2 and all(isinstance(token, int) for token in tokens)
    assert tokens[0] != tokens[1]
    received = [r for r in sandbox.received("viber") if r["recipient"] == "send-user-1="]
    assert [r["text"] for r in received] == ["Boil water before drinking", "Second"]
    assert all(r["status"] == 200 and r["delivered"] for r in received)
    assert [r["platform_id"] for r in received] == [str(token) for token in tokens]
    # The SDK's own body: token in the body, sender with a null avatar.
    body = received[0]["body"]
    assert body["auth_token"] == TOKEN
    assert body["sender"] == {"name": "Herald sandbox", "avatar": None}
    assert body["type"] == "text" and body["receiver"] == "send-user-1="


def test_a_missing_token_is_status_2(sandbox):
    with pytest.raises(Exception, match=r"failed with status: 2, message: invalidAuthToken"):
        bot(sandbox, token="").send_messages("u=", TextMessage(text="hi"))
    with pytest.raises(Exception, match=r"status: 2"):
        bot(sandbox, token="").set_webhook("http://127.0.0.1:9/viber")


def test_bad_data_is_status_3(sandbox):
    with pytest.raises(Exception, match=r"failed with status: 3, message: badData"):
        bot(sandbox).send_messages("u=", TextMessage(text="x" * 7001))
    # Viber's sender name is at most 28 characters.
    with pytest.raises(Exception, match=r"status: 3"):
        bot(sandbox, name="n" * 29).send_messages("u=", TextMessage(text="hi"))


def test_a_person_who_unsubscribed_is_status_6(sandbox, receiver):
    # Each test with a webhook has a token of its own, so no late callback of another test
    # reaches its receiver.
    token = TOKEN + "-left"
    api = bot(sandbox, token=token)
    hooked(api, sandbox, receiver)
    sandbox.person("viber", token, "left-6=", {"type": "unsubscribe"})
    event, _ = next_event(api, receiver)
    assert isinstance(event, ViberUnsubscribedRequest) and event.user_id == "left-6="
    with pytest.raises(Exception, match=r"failed with status: 6, message: receiverNotSubscribed"):
        api.send_messages("left-6=", TextMessage(text="hi"))
    with pytest.raises(Exception, match=r"status: 6"):
        api.get_user_details("left-6=")
    # Coming back makes them reachable again.
    sandbox.person("viber", token, "left-6=", {"type": "subscribe"})
    next_event(api, receiver)
    [token] = api.send_messages("left-6=", TextMessage(text="welcome back"))
    delivered, _ = next_event(api, receiver)
    assert isinstance(delivered, ViberDeliveredRequest) and delivered.message_token == token
    api.unset_webhook()


def test_throttling_is_status_12_over_http_200(sandbox):
    # Viber throttles with status 12 in an HTTP 200 body; the sandbox's 429 fault plays it so.
    sandbox.faults(rate_429=1.0)
    with pytest.raises(Exception, match=r"failed with status: 12, message: tooManyRequests"):
        bot(sandbox).send_messages("u=", TextMessage(text="hi"))


def test_server_errors_are_http_errors(sandbox):
    sandbox.faults(rate_5xx=1.0)
    with pytest.raises(requests.exceptions.HTTPError) as raised:
        bot(sandbox).send_messages("u=", TextMessage(text="hi"))
    assert 500 <= raised.value.response.status_code < 600


def test_a_dropped_answer_is_a_connection_error(sandbox):
    sandbox.faults(rate_drop=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        bot(sandbox).send_messages("u=", TextMessage(text="hi"))


def test_people_starting_subscribing_writing_and_leaving(sandbox, receiver):
    token = TOKEN + "-people"
    api = bot(sandbox, token=token)
    hooked(api, sandbox, receiver)
    user = "person-1+AbC="
    sandbox.person(
        "viber", token, user, {"type": "subscribe", "language": "ar", "payload": "flood-nl"}
    )
    started, raw = next_event(api, receiver)
    assert isinstance(started, ViberConversationStartedRequest)
    assert started.type == "open" and started.context == "flood-nl"
    assert started.subscribed is False
    assert started.user.id == user and started.user.language == "ar"
    assert {"id", "name", "avatar", "country", "language", "api_version"} <= set(raw["user"])
    assert isinstance(started.message_token, int)

    subscribed, raw = next_event(api, receiver)
    assert isinstance(subscribed, ViberSubscribedRequest)
    assert subscribed.user.id == user and subscribed.user.language == "ar"
    assert isinstance(raw["message_token"], int)
    assert api.get_user_details(user)["language"] == "ar"
    assert api.get_online([user])[0]["online_status"] == 0
    assert api.get_account_info()["subscribers_count"] == 1

    sandbox.person("viber", token, user, {"type": "text", "text": "STOP"})
    message, raw = next_event(api, receiver)
    assert isinstance(message, ViberMessageRequest)
    assert message.sender.id == user and message.sender.language == "ar"
    assert message.message.text == "STOP"
    assert isinstance(message.message_token, int)

    sandbox.person("viber", token, user, {"type": "unsubscribe"})
    left, raw = next_event(api, receiver)
    assert isinstance(left, ViberUnsubscribedRequest) and left.user_id == user
    assert api.get_account_info()["subscribers_count"] == 0
    offline = api.get_online([user, "never-seen="])
    assert offline[0]["online_status"] == 1 and isinstance(offline[0]["last_online"], int)
    assert offline[1]["online_status"] == 2

    # A second start says the person is subscribed (they come back first, then start).
    sandbox.person("viber", token, user, {"type": "subscribe"})
    next_event(api, receiver)
    sandbox.person("viber", token, user, {"type": "subscribe", "payload": "again"})
    again, _ = next_event(api, receiver)
    assert isinstance(again, ViberConversationStartedRequest) and again.subscribed is True
    next_event(api, receiver)
    api.unset_webhook()


def test_sent_messages_are_delivered_seen_or_failed(sandbox, receiver):
    api = bot(sandbox, token=TOKEN + "-statuses")
    hooked(api, sandbox, receiver)
    delivery(sandbox, undeliverable=["lost-1="], read_rate=1.0)
    [seen_token] = api.send_messages("reader-1=", TextMessage(text="read me"))
    delivered, raw = next_event(api, receiver)
    assert isinstance(delivered, ViberDeliveredRequest)
    assert delivered.message_token == seen_token and delivered.user_id == "reader-1="
    assert set(raw) == {"event", "timestamp", "chat_hostname", "message_token", "user_id"}
    seen, _ = next_event(api, receiver)
    assert isinstance(seen, ViberSeenRequest)
    assert seen.message_token == seen_token and seen.user_id == "reader-1="
    assert seen.timestamp >= delivered.timestamp

    [lost_token] = api.send_messages("lost-1=", TextMessage(text="never arrives"))
    failed, raw = next_event(api, receiver)
    assert isinstance(failed, ViberFailedRequest)
    assert failed.message_token == lost_token and failed.user_id == "lost-1="
    assert isinstance(failed.desc, str) and failed.desc

    delivery(sandbox, read_rate=0.0)
    [unread_token] = api.send_messages("unread-1=", TextMessage(text="not read"))
    delivered, _ = next_event(api, receiver)
    assert isinstance(delivered, ViberDeliveredRequest) and delivered.message_token == unread_token
    with pytest.raises(AssertionError, match="no webhook arrived"):
        receiver.next(timeout=1)
    api.unset_webhook()
