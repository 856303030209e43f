"""WhatsApp Cloud API: pywa, the WhatsApp client library, against the sandbox.

pywa has no setting for the Graph URL: its internal `GraphAPI` sets the base URL of the httpx
client it is given to `https://graph.facebook.com/v{api_version}`. The narrowest documented
route is the `session=` parameter (an `httpx.Client` of our own, which pywa documents for
proxies and timeouts): after pywa has configured it, the test points that client of ours at the
sandbox with httpx's own `base_url` attribute. Nothing of pywa is patched; every request and
every answer goes through pywa's code as shipped.

Webhooks are checked with pywa's own signature validation (`webhook_update_validator`, the
sandbox signs with the app secret `sandbox`) and parsed with pywa's own update models, through
its dispatcher (`webhook_update_handler`): an update pywa cannot build, or one it filters out as
another account's, never reaches the handler, and the test fails.
"""

import itertools
import json

import httpx
import pytest
from pywa import WhatsApp, errors, handlers
from pywa.types import MessageStatus, MessageStatusType, Message
from pywa.types.message_status import PricingCategory, PricingModel
from pywa.types.templates import (
    BodyText,
    TemplateLanguage,
    TemplateStatus,
)
from pywa.types.others import Pagination

# The app secret and token the sandbox signs and checks with when started without settings.
SANDBOX_SECRET = "sandbox"
API_VERSION = "22.0"
WABA_ID = "102290129340398"

# Each test uses its own phone number id and recipients, so callbacks of one test never reach
# another's receiver, and WhatsApp's one-message-per-6-s limit per recipient is not hit by
# accident.
_numbers = itertools.count(1)


def fresh_number():
    return f"3161{next(_numbers):07d}"


_phones = itertools.count(1)


def fresh_phone_id():
    return f"10654035224{next(_phones):04d}"


def client(sandbox, phone_id, token=SANDBOX_SECRET):
    # pywa 4.5 names the WhatsApp Business Account `waba_id` (`business_account_id` is its
    # deprecated alias); the sandbox puts it in the webhooks' `entry[].id`, and pywa drops
    # updates of other accounts.
    session = httpx.Client(timeout=10)
    wa = WhatsApp(
        phone_id=phone_id,
        token=token,
        waba_id=WABA_ID,
        app_secret=SANDBOX_SECRET,
        session=session,
        api_version=API_VERSION,
    )
    # See the module's docstring: pywa offers no Graph URL setting.
    session.base_url = f"{sandbox.base_url}/v{API_VERSION}"
    return wa


def register(sandbox, receiver, phone_id):
    sandbox.call(
        "PUT",
        "/sandbox/webhooks/whatsapp",
        {"phone_number_id": phone_id, "url": receiver.url, "waba_id": WABA_ID},
    )


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def dispatch(wa, body, headers):
    """Checks the signature with pywa's validator, then hands the body to pywa's dispatcher
    and answers the updates its handlers got."""
    signature = header(headers, "X-Hub-Signature-256")
    assert wa.webhook_update_validator(update=body, hmac_header=signature) is None
    got = []
    message_handler = handlers.MessageHandler(lambda _, update: got.append(update))
    status_handler = handlers.MessageStatusHandler(lambda _, update: got.append(update))
    wa.add_handlers(message_handler, status_handler)
    try:
        assert wa.webhook_update_handler(body) == ("ok", 200)
    finally:
        wa.remove_handlers(message_handler, status_handler)
    assert len(got) == 1, f"pywa built no update from {body!r}"
    return got[0]


def test_a_template_with_parameters_is_accepted(sandbox):
    phone_id = fresh_phone_id()
    wa = client(sandbox, phone_id)
    to = fresh_number()
    sent = wa.send_template(
        to=to,
        name="flood_warning",
        language=TemplateLanguage.ARABIC,
        params=[BodyText.params("Stay indoors", "until 18:00")],
    )
    assert sent.id.startswith("wamid.")
    assert sent.input == to
    # The documented answer: messages[0].message_status.
    assert sent.status.value.lower() == "accepted"
    received = [r for r in sandbox.received("whatsapp") if r["platform_id"] == sent.id]
    assert len(received) == 1
    body = received[0]["body"]
    assert body["template"]["name"] == "flood_warning"
    assert body["template"]["language"]["code"] == "ar"
    assert received[0]["text"] == "Stay indoors\nuntil 18:00"


def test_text_inside_the_window_and_the_inbound_message(sandbox, receiver):
    phone_id = fresh_phone_id()
    register(sandbox, receiver, phone_id)
    wa = client(sandbox, phone_id)
    person = fresh_number()
    assert sandbox.person("whatsapp", phone_id, person, {"type": "text", "text": "hello"}) == {"status": 200}
    _, headers, body = receiver.next()
    message = dispatch(wa, body, headers)
    assert isinstance(message, Message)
    assert message.text == "hello"
    assert message.from_user.wa_id == person
    assert message.from_user.name == "Person"
    assert message.from_user.bsuid.startswith("NL.")
    assert message.from_user.country_code == "NL"
    assert message.metadata.phone_number_id == phone_id
    assert message.waba_id == WABA_ID
    # The person wrote: free-form text is allowed for 24 hours.
    sent = wa.send_message(to=person, text="Thank you, noted.")
    assert sent.id.startswith("wamid.")


def test_subscribe_and_stop_arrive_as_messages(sandbox, receiver):
    phone_id = fresh_phone_id()
    register(sandbox, receiver, phone_id)
    wa = client(sandbox, phone_id)
    person = fresh_number()
    texts = []
    for action in ({"type": "subscribe", "payload": "flood"}, {"type": "unsubscribe"}):
        assert sandbox.person("whatsapp", phone_id, person, action) == {"status": 200}
        _, headers, body = receiver.next()
        texts.append(dispatch(wa, body, headers).text)
    assert texts == ["START flood", "STOP"]


def test_status_webhooks_parse_and_are_signed(sandbox, receiver):
    phone_id = fresh_phone_id()
    register(sandbox, receiver, phone_id)
    wa = client(sandbox, phone_id)
    to = fresh_number()
    sent = wa.send_template(to=to, name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    statuses = []
    while not statuses or statuses[-1].status == MessageStatusType.SENT:
        _, headers, body = receiver.next()
        statuses.append(dispatch(wa, body, headers))
    first, second = statuses[0], statuses[1]
    assert all(isinstance(s, MessageStatus) for s in statuses)
    assert [s.status for s in statuses[:2]] == [MessageStatusType.SENT, MessageStatusType.DELIVERED]
    for status in statuses:
        assert status.id == sent.id
        assert status.from_user.wa_id == to
        assert status.from_user.bsuid.startswith("NL.")
        assert status.metadata.phone_number_id == phone_id
        assert status.waba_id == WABA_ID
    assert first.pricing.model == PricingModel.PMP
    assert first.pricing.category == PricingCategory.UTILITY
    assert first.pricing.billable is True
    assert second.timestamp >= first.timestamp
    # A body changed after signing is refused by pywa's validator.
    signature = header(headers, "X-Hub-Signature-256")
    assert wa.webhook_update_validator(update=body + b" ", hmac_header=signature) == (
        "Forbidden",
        403,
    )


def test_a_failed_status_carries_metas_error(sandbox, receiver):
    phone_id = fresh_phone_id()
    register(sandbox, receiver, phone_id)
    wa = client(sandbox, phone_id)
    person = fresh_number()
    # The person blocks the business: sends are accepted, and then fail.
    assert sandbox.person("whatsapp", phone_id, person, {"type": "block"}) == {"status": 200}
    receiver.next()
    sent = wa.send_template(to=person, name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    _, headers, body = receiver.next()
    signature = header(headers, "X-Hub-Signature-256")
    assert wa.webhook_update_validator(update=body, hmac_header=signature) is None
    value = json.loads(body)["entry"][0]["changes"][0]["value"]
    # Meta's docs and pywa disagree here, and the sandbox follows the docs: Meta's BSUID guide
    # says `contacts` is "omitted entirely for failed status messages webhooks", while pywa
    # 4.5 builds every `MessageStatus` from `value.contacts[0]` and so cannot build a failed
    # one. The status and its error are read with pywa's own models for what it can read.
    assert "contacts" not in value
    status = value["statuses"][0]
    assert status["id"] == sent.id
    assert MessageStatusType(status["status"]) == MessageStatusType.FAILED
    assert status["recipient_id"] == person
    error = errors.WhatsAppError.from_dict(status["errors"][0])
    assert isinstance(error, errors.MessageUndeliverable)
    assert error.code == 131026
    assert error.details


def test_templates_are_listed_per_language_with_paging(sandbox):
    sandbox.templates(
        {
            "storm_alert:ar": "APPROVED",
            "storm_alert:en_US": "APPROVED",
            "storm_alert:fr": "PAUSED",
        }
    )
    try:
        wa = client(sandbox, fresh_phone_id())
        result = wa.get_templates(name="storm_alert")
        listed = {(t.name, t.language, t.status) for t in result}
        assert listed == {
            ("storm_alert", TemplateLanguage.ARABIC, TemplateStatus.APPROVED),
            ("storm_alert", TemplateLanguage.ENGLISH_US, TemplateStatus.APPROVED),
            ("storm_alert", TemplateLanguage.FRENCH, TemplateStatus.PAUSED),
        }
        assert result.total_count == 3
        assert all(t.id and t.components for t in result)
        paused = wa.get_templates(name="storm_alert", statuses=[TemplateStatus.PAUSED])
        assert [t.language for t in paused] == [TemplateLanguage.FRENCH]
        first = wa.get_templates(name="storm_alert", pagination=Pagination(limit=2))
        assert len(first) == 2 and first.has_next and first.after
        rest = wa.get_templates(
            name="storm_alert", pagination=Pagination(limit=2, after=first.after)
        )
        assert len(rest) == 1 and not rest.has_next
        assert {t.language for t in first} | {t.language for t in rest} == {
            TemplateLanguage.ARABIC,
            TemplateLanguage.ENGLISH_US,
            TemplateLanguage.FRENCH,
        }
    finally:
        sandbox.templates({})


@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [
        ("REJECTED", errors.TemplateNotExists, 132001),
        ("PAUSED", errors.TemplatePaused, 132015),
        ("DISABLED", errors.TemplateDisabled, 132016),
    ],
)
def test_templates_that_cannot_be_sent(sandbox, status, error_class, code):
    sandbox.templates({"stopped_template": status})
    try:
        wa = client(sandbox, fresh_phone_id())
        with pytest.raises(error_class) as raised:
            wa.send_template(
                to=fresh_number(), name="stopped_template", language=TemplateLanguage.ENGLISH_US
            )
        assert raised.value.code == code
        assert raised.value.status_code == 400
        assert raised.value.fbtrace_id
    finally:
        sandbox.templates({})


def test_text_outside_the_window_is_a_re_engagement_error(sandbox):
    wa = client(sandbox, fresh_phone_id())
    with pytest.raises(errors.ReEngagementMessage) as raised:
        wa.send_message(to=fresh_number(), text="Nobody wrote to us.")
    assert raised.value.code == 131047


def test_the_same_person_too_often_is_the_pair_rate_limit(sandbox):
    wa = client(sandbox, fresh_phone_id())
    to = fresh_number()
    wa.send_template(to=to, name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    with pytest.raises(errors.TooManyMessages) as raised:
        wa.send_template(to=to, name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    assert raised.value.code == 131056


def test_throughput_limit(sandbox):
    wa = client(sandbox, fresh_phone_id())
    sandbox.faults(rate_429=1.0)
    with pytest.raises(errors.RateLimitHit) as raised:
        wa.send_template(to=fresh_number(), name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    assert raised.value.code == 130429
    assert raised.value.status_code == 429


def test_server_errors_are_metas_codes(sandbox):
    wa = client(sandbox, fresh_phone_id())
    sandbox.faults(rate_5xx=1.0)
    seen = set()
    for _ in range(20):
        with pytest.raises(errors.WhatsAppError) as raised:
            wa.send_template(
                to=fresh_number(), name="flood_warning", language=TemplateLanguage.ENGLISH_US
            )
        error = raised.value
        if error.status_code == 503:
            assert isinstance(error, errors.ServiceUnavailable) and error.code == 131016
        else:
            assert error.status_code in (500, 502)
            assert isinstance(error, errors.UnknownError) and error.code == 131000
        seen.add(type(error))
    assert seen == {errors.ServiceUnavailable, errors.UnknownError}


def test_a_token_graph_cannot_parse_is_code_190(sandbox):
    wa = client(sandbox, fresh_phone_id(), token="not a token")
    with pytest.raises(errors.ExpiredAccessToken) as raised:
        wa.send_template(to=fresh_number(), name="flood_warning", language=TemplateLanguage.ENGLISH_US)
    assert raised.value.code == 190
    assert raised.value.type == "OAuthException"


def test_an_unknown_graph_path_answers_in_graphs_shape(sandbox):
    # The sandbox does not emulate reading one template by id: Graph's answer for an object it
    # cannot load (code 100, subcode 33) is what pywa must get, in Graph's error shape.
    wa = client(sandbox, fresh_phone_id())
    with pytest.raises(errors.WhatsAppError) as raised:
        wa.get_template(template_id="1234567890")
    assert raised.value.code == 100
    assert raised.value.subcode == 33
    assert raised.value.type == "OAuthException"
    assert raised.value.fbtrace_id
    assert raised.value.status_code == 400
    assert json.loads(raised.value.raw_response.text)["error"]["message"].startswith(
        "Unsupported get request"
    )
