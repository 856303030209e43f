"""python-telegram-bot against the sandbox's Telegram Bot API.

The library is pointed at the sandbox by its own documented setting, `Bot(token, base_url=...)`
(the prefix to which it appends the token), and used as shipped: it sends its parameters as a
form, checks the answer's `ok`, parses `result` into its `Message`, `User` and `WebhookInfo`
models, and turns error answers into its exception classes. Webhook bodies the sandbox sends are
parsed with `telegram.Update.de_json`, as a bot's webhook handler does.

Each test uses its own bot token and chat ids, so that the sandbox's per-bot and per-chat rate
limits (which it applies as Telegram does) never mix tests.
"""

import asyncio
import datetime
import json
import pathlib

import pytest
import telegram
from telegram import constants
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, NetworkError, RetryAfter


def bot(sandbox, token):
    return telegram.Bot(token, base_url=sandbox.base_url + "/bot")


def run(coroutine):
    return asyncio.run(coroutine)


def seconds(value):
    """`RetryAfter.retry_after` is an int, or a timedelta when PTB_TIMEDELTA is set."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def test_get_me_starts_the_bot(sandbox):
    async def main():
        async with bot(sandbox, "710001:PTB") as b:
            return b.bot

    me = run(main())
    assert me.id == 710001
    assert me.is_bot is True
    assert me.username == "sandbox_710001_bot"


def check_sent(message, before):
    """What every sent message has: an integer id, a date, a typed chat with an integer id."""
    assert isinstance(message, telegram.Message)
    assert isinstance(message.message_id, int) and message.message_id > 0
    assert isinstance(message.chat.id, int)
    assert before - 5 <= message.date.timestamp() <= before + 60
    assert message.date.tzinfo is not None


def test_send_message_to_a_private_chat_with_html(sandbox):
    before = datetime.datetime.now(datetime.timezone.utc).timestamp()

    async def main():
        async with bot(sandbox, "710002:PTB") as b:
            return await b.send_message(
                chat_id=42,
                text="Flood <b>warning</b>: <a href=\"https://example.org/a?x=1&amp;y=2\">details</a> 😀 &lt;now&gt;",
                parse_mode=constants.ParseMode.HTML,
            )

    message = run(main())
    check_sent(message, before)
    assert message.chat.type == constants.ChatType.PRIVATE
    assert message.chat.id == 42
    assert message.from_user.is_bot and message.from_user.id == 710002
    assert message.sender_chat is None
    # The text as the person sees it, the formatting as entities in UTF-16 units.
    assert message.text == "Flood warning: details 😀 <now>"
    bold, link = message.entities
    assert (bold.type, bold.offset, bold.length) == (constants.MessageEntityType.BOLD, 6, 7)
    assert (link.type, link.offset, link.length) == (constants.MessageEntityType.TEXT_LINK, 15, 7)
    assert link.url == "https://example.org/a?x=1&y=2"
    assert message.parse_entity(link) == "details"
    # The library rebuilds the HTML from the entities (it leaves the URL unescaped).
    assert message.text_html == (
        'Flood <b>warning</b>: <a href="https://example.org/a?x=1&y=2">details</a> 😀 &lt;now&gt;'
    )


def test_send_message_to_a_group_without_parse_mode(sandbox):
    async def main():
        async with bot(sandbox, "710003:PTB") as b:
            group = await b.send_message(chat_id=-4001, text="<b> stays text")
            supergroup = await b.send_message(chat_id="-1001234567890", text="hello")
            return group, supergroup

    group, supergroup = run(main())
    assert group.chat.type == constants.ChatType.GROUP
    assert group.chat.id == -4001 and group.chat.title
    assert group.text == "<b> stays text"
    assert group.entities == ()
    assert group.from_user.id == 710003
    assert supergroup.chat.type == constants.ChatType.SUPERGROUP
    assert supergroup.chat.id == -1001234567890


def test_send_message_to_a_channel_by_name(sandbox):
    async def main():
        async with bot(sandbox, "710004:PTB") as b:
            first = await b.send_message(chat_id="@herald_news", text="<i>One</i>", parse_mode="HTML")
            # The numeric id answered for the name is the same channel.
            second = await b.send_message(chat_id=first.chat.id, text="Two")
            return first, second

    first, second = run(main())
    assert first.chat.type == constants.ChatType.CHANNEL
    assert first.chat.username == "herald_news"
    assert str(first.chat.id).startswith("-100")
    # In a channel the post is from the channel itself, not from the bot.
    assert first.from_user is None
    assert first.sender_chat.id == first.chat.id
    assert first.text == "One"
    assert [(e.type, e.offset, e.length) for e in first.entities] == [("italic", 0, 3)]
    assert second.chat.id == first.chat.id and second.chat.username == "herald_news"
    assert second.message_id == first.message_id + 1


def test_webhook_set_read_and_deleted(sandbox):
    async def main():
        async with bot(sandbox, "710005:PTB") as b:
            assert await b.set_webhook("https://herald.example.org/hooks/telegram/ptb", secret_token="s3cret_PTB-1")
            info = await b.get_webhook_info()
            assert await b.delete_webhook()
            return info, await b.get_webhook_info()

    info, after = run(main())
    assert isinstance(info, telegram.WebhookInfo)
    assert info.url == "https://herald.example.org/hooks/telegram/ptb"
    assert info.pending_update_count == 0
    assert info.has_custom_certificate is False
    assert after.url == ""


def test_a_429_is_retry_after(sandbox):
    async def main():
        async with bot(sandbox, "710006:PTB") as b:
            sandbox.faults(rate_429=1.0)
            await b.send_message(chat_id=43, text="x")

    with pytest.raises(RetryAfter) as caught:
        run(main())
    assert seconds(caught.value.retry_after) == 1


def test_the_private_chat_limit_is_retry_after(sandbox):
    async def main():
        async with bot(sandbox, "710007:PTB") as b:
            await b.send_message(chat_id=44, text="one")
            await b.send_message(chat_id=44, text="two, within the same second")

    with pytest.raises(RetryAfter) as caught:
        run(main())
    assert seconds(caught.value.retry_after) >= 1


def test_a_5xx_is_a_network_error(sandbox):
    async def main():
        async with bot(sandbox, "710008:PTB") as b:
            sandbox.faults(rate_5xx=1.0)
            await b.send_message(chat_id=45, text="x")

    with pytest.raises(NetworkError) as caught:
        run(main())
    assert not isinstance(caught.value, (RetryAfter, BadRequest, Forbidden))
    assert any(word in caught.value.message for word in ("Internal Server Error", "Bad Gateway", "Service Unavailable"))


def test_a_person_who_blocked_the_bot_is_forbidden(sandbox, receiver):
    token = "710009:PTB"

    async def main():
        async with bot(sandbox, token) as b:
            await b.set_webhook(receiver.url + "/telegram")
            sandbox.person("telegram", token, "46", {"type": "block"})
            await b.send_message(chat_id=46, text="still there?")

    with pytest.raises(Forbidden) as caught:
        run(main())
    assert caught.value.message == "Forbidden: bot was blocked by the user"


def test_bad_html_is_a_bad_request(sandbox):
    async def main():
        async with bot(sandbox, "710010:PTB") as b:
            await b.send_message(chat_id=47, text="<b>unclosed", parse_mode="HTML")

    with pytest.raises(BadRequest) as caught:
        run(main())
    assert caught.value.message.startswith("Can't parse entities")


def test_an_unknown_method_is_not_found(sandbox):
    async def main():
        async with bot(sandbox, "710011:PTB") as b:
            await b.do_api_request("sendNothing", api_kwargs={"chat_id": 1})

    with pytest.raises(EndPointNotFound):
        run(main())


def test_a_malformed_token_is_invalid(sandbox):
    async def main():
        async with bot(sandbox, "not-a-token"):
            pass

    with pytest.raises(InvalidToken):
        run(main())


def test_updates_the_sandbox_sends_are_valid_updates(sandbox, receiver):
    token = "710012:PTB"
    b = bot(sandbox, token)

    async def register():
        async with b:
            return await b.set_webhook(receiver.url + "/telegram/ptb", secret_token="s3cret_PTB-2")

    assert run(register())
    actions = [
        {"type": "subscribe", "language": "uk", "payload": "flood-2027"},
        {"type": "text", "text": "when is the clinic open?"},
        {"type": "unsubscribe"},
        {"type": "block"},
    ]
    updates = []
    for action in actions:
        assert sandbox.person("telegram", token, "48", action) == {"status": 200}
        path, headers, body = receiver.next()
        assert path == "/telegram/ptb"
        headers = {name.lower(): value for name, value in headers.items()}
        assert headers["x-telegram-bot-api-secret-token"] == "s3cret_PTB-2"
        assert headers["content-type"].startswith("application/json")
        updates.append(telegram.Update.de_json(json.loads(body), b))

    start, text, stop, block = updates
    assert start.update_id < text.update_id < stop.update_id < block.update_id
    assert start.message.chat.type == constants.ChatType.PRIVATE
    assert start.message.chat.id == 48
    assert start.effective_user.id == 48 and start.effective_user.language_code == "uk"
    assert start.message.text == "/start flood-2027"
    (command,) = start.message.entities
    assert command.type == constants.MessageEntityType.BOT_COMMAND
    assert start.message.parse_entity(command) == "/start"
    assert isinstance(start.message.date, datetime.datetime)
    assert text.message.text == "when is the clinic open?"
    assert text.message.message_id > start.message.message_id
    assert stop.message.text == "/stop"
    member = block.my_chat_member
    assert member is not None and block.message is None
    assert member.chat.id == 48 and member.chat.type == constants.ChatType.PRIVATE
    assert member.from_user.id == 48
    assert member.old_chat_member.status == constants.ChatMemberStatus.MEMBER
    assert isinstance(member.new_chat_member, telegram.ChatMemberBanned)
    assert member.new_chat_member.user.id == 710012 and member.new_chat_member.user.is_bot


FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "partners" / "telegram"


@pytest.mark.parametrize(
    "name",
    ["update_message_aiogram.json", "update_start_command.json", "update_my_chat_member_kicked.json"],
)
def test_the_documentation_fixtures_are_updates_to_the_library(name):
    """The fixtures herald's parsers are tested on are real updates to the library too.
    (`update_message_webhooks_guide.json` is left out: Telegram's guide predates `Chat.type`,
    which the library requires.)"""
    update = telegram.Update.de_json(json.loads((FIXTURES / name).read_text()), telegram.Bot("1:A"))
    assert update.update_id is not None
    assert update.effective_chat.type == constants.ChatType.PRIVATE
    assert isinstance(update.effective_chat.id, int)


def test_the_send_message_fixture_is_a_message_to_the_library():
    answer = json.loads((FIXTURES / "send_message_ok.json").read_text())
    message = telegram.Message.de_json(answer["result"], telegram.Bot("1:A"))
    assert message.chat.type == constants.ChatType.CHANNEL
    assert message.sender_chat.id == message.chat.id
    assert message.text_html == 'Flood <b>warning</b>: <a href="https://example.org/">details</a>'
