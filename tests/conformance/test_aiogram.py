"""aiogram against the sandbox's Telegram Bot API.

The library is pointed at the sandbox by its own documented setting for local Bot API servers,
`AiohttpSession(api=TelegramAPIServer.from_base(base_url))`, and used as shipped: it sends its
parameters as a form, validates every answer (errors too) with its pydantic `Response` model,
parses `result` into `Message`, `User` and `WebhookInfo`, and raises its exception classes
for error answers. Webhook bodies the sandbox sends are parsed with
`Update.model_validate(data, context={"bot": bot})`, as aiogram's own webhook handler does.

Each test uses its own bot token and chat ids, so that the sandbox's per-bot and per-chat rate
limits (which it applies as Telegram does) never mix tests.
"""

import asyncio
import datetime
import json
import pathlib

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatMemberStatus, ChatType, MessageEntityType, ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import ChatMemberBanned, Message, Update, User, WebhookInfo
from aiogram.utils.token import TokenValidationError


def run(sandbox, token, use):
    """Runs `use(bot)` with a bot pointed at the sandbox, closing its session afterwards."""

    async def main():
        session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
        bot = Bot(token, session=session)
        try:
            return await use(bot)
        finally:
            await session.close()

    return asyncio.run(main())


def test_get_me(sandbox):
    me = run(sandbox, "720001:AIO", lambda bot: bot.get_me())
    assert isinstance(me, User)
    assert me.id == 720001 and me.is_bot
    assert me.username == "sandbox_720001_bot"


def check_sent(message):
    """What every sent message has: an integer id, a date, a typed chat with an integer id."""
    assert isinstance(message, Message)
    assert isinstance(message.message_id, int) and message.message_id > 0
    assert isinstance(message.chat.id, int)
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert now - 60 <= message.date.timestamp() <= now + 5


def test_send_message_to_a_private_chat_with_html(sandbox):
    text = "<b>Évacuation</b> <u>now</u> 🌊 <code>R&amp;D</code> <a href='https://example.org/'>map</a>"

    async def use(bot):
        return await bot.send_message(chat_id=52, text=text, parse_mode=ParseMode.HTML)

    message = run(sandbox, "720002:AIO", use)
    check_sent(message)
    assert message.chat.type == ChatType.PRIVATE and message.chat.id == 52
    assert message.from_user.id == 720002 and message.from_user.is_bot
    assert message.sender_chat is None
    assert message.text == "Évacuation now 🌊 R&D map"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        (MessageEntityType.BOLD, 0, 10),
        (MessageEntityType.UNDERLINE, 11, 3),
        # 🌊 is two UTF-16 units.
        (MessageEntityType.CODE, 18, 3),
        (MessageEntityType.TEXT_LINK, 22, 3),
    ]
    assert message.entities[3].url == "https://example.org/"
    assert message.entities[2].extract_from(message.text) == "R&D"
    assert message.html_text == (
        '<b>Évacuation</b> <u>now</u> 🌊 <code>R&amp;D</code> <a href="https://example.org/">map</a>'
    )


def test_send_message_to_a_group_and_a_channel_without_parse_mode(sandbox):
    async def use(bot):
        group = await bot.send_message(chat_id=-4002, text="  plain <i>text</i>  ")
        channel = await bot.send_message(chat_id="@herald_aio", text="to the channel")
        return group, channel

    group, channel = run(sandbox, "720003:AIO", use)
    check_sent(group)
    assert group.chat.type == ChatType.GROUP and group.chat.id == -4002
    assert group.from_user.id == 720003
    # Telegram trims the text; without parse_mode, tags are text.
    assert group.text == "plain <i>text</i>"
    assert group.entities is None
    check_sent(channel)
    assert channel.chat.type == ChatType.CHANNEL
    assert channel.chat.username == "herald_aio"
    assert channel.chat.id < -1000000000000
    assert channel.from_user is None
    assert channel.sender_chat.id == channel.chat.id


def test_webhook_set_read_and_deleted(sandbox):
    async def use(bot):
        assert await bot.set_webhook("https://herald.example.org/hooks/telegram/aio", secret_token="s3cret_AIO-1")
        info = await bot.get_webhook_info()
        assert await bot.delete_webhook(drop_pending_updates=True)
        return info, await bot.get_webhook_info()

    info, after = run(sandbox, "720004:AIO", use)
    assert isinstance(info, WebhookInfo)
    assert info.url == "https://herald.example.org/hooks/telegram/aio"
    assert info.pending_update_count == 0
    assert after.url == ""


def test_a_429_is_telegram_retry_after(sandbox):
    async def use(bot):
        sandbox.faults(rate_429=1.0)
        await bot.send_message(chat_id=53, text="x")

    with pytest.raises(TelegramRetryAfter) as caught:
        run(sandbox, "720005:AIO", use)
    assert caught.value.retry_after == 1


def test_the_group_limit_is_telegram_retry_after(sandbox):
    async def use(bot):
        for i in range(21):
            await bot.send_message(chat_id=-4003, text=f"message {i}")

    with pytest.raises(TelegramRetryAfter) as caught:
        run(sandbox, "720006:AIO", use)
    assert 1 <= caught.value.retry_after <= 60


def test_a_5xx_is_a_server_error(sandbox):
    async def use(bot):
        sandbox.faults(rate_5xx=1.0)
        await bot.send_message(chat_id=54, text="x")

    with pytest.raises(TelegramServerError):
        run(sandbox, "720007:AIO", use)


def test_a_person_who_blocked_the_bot_is_forbidden(sandbox, receiver):
    token = "720008:AIO"

    async def use(bot):
        await bot.set_webhook(receiver.url + "/telegram")
        sandbox.person("telegram", token, "55", {"type": "block"})
        await bot.send_message(chat_id=55, text="still there?")

    with pytest.raises(TelegramForbiddenError) as caught:
        run(sandbox, token, use)
    assert caught.value.message == "Forbidden: bot was blocked by the user"


def test_bad_html_is_a_bad_request(sandbox):
    async def use(bot):
        await bot.send_message(chat_id=56, text="<div>not Telegram's</div>", parse_mode=ParseMode.HTML)

    with pytest.raises(TelegramBadRequest) as caught:
        run(sandbox, "720009:AIO", use)
    assert "can't parse entities" in caught.value.message


class SendNothing(TelegramMethod[bool]):
    """A method the Bot API does not have, declared the way aiogram declares its own."""

    __returning__ = bool
    __api_method__ = "sendNothing"


def test_an_unknown_method_is_not_found(sandbox):
    async def use(bot):
        await bot(SendNothing())

    with pytest.raises(TelegramNotFound):
        run(sandbox, "720010:AIO", use)


def test_a_malformed_token_is_refused_before_any_call():
    # aiogram checks the token's `{bot id}:{secret}` form itself; the sandbox checks only that
    # form too (getMe answers 401 without it) and cannot know which well-formed tokens exist.
    with pytest.raises(TokenValidationError):
        Bot("not-a-token")


def test_updates_the_sandbox_sends_are_valid_updates(sandbox, receiver):
    token = "720011:AIO"

    async def use(bot):
        assert await bot.set_webhook(receiver.url + "/telegram/aio", secret_token="s3cret_AIO-2")
        actions = [
            {"type": "subscribe", "payload": "flood-2027"},
            {"type": "text", "text": "مرحبا"},
            {"type": "unsubscribe"},
            {"type": "block"},
        ]
        updates = []
        for action in actions:
            assert sandbox.person("telegram", token, "57", action) == {"status": 200}
            path, headers, body = receiver.next()
            assert path == "/telegram/aio"
            headers = {name.lower(): value for name, value in headers.items()}
            assert headers["x-telegram-bot-api-secret-token"] == "s3cret_AIO-2"
            updates.append(Update.model_validate(json.loads(body), context={"bot": bot}))
        return updates

    start, text, stop, block = run(sandbox, token, use)
    assert start.update_id < text.update_id < stop.update_id < block.update_id
    assert start.event_type == "message"
    assert start.message.chat.type == ChatType.PRIVATE and start.message.chat.id == 57
    assert start.message.from_user.id == 57 and not start.message.from_user.is_bot
    assert start.message.text == "/start flood-2027"
    assert [(e.type, e.offset, e.length) for e in start.message.entities] == [
        (MessageEntityType.BOT_COMMAND, 0, 6)
    ]
    assert text.message.text == "مرحبا" and text.message.entities is None
    assert stop.message.text == "/stop"
    assert block.event_type == "my_chat_member"
    member = block.my_chat_member
    assert member.chat.id == 57 and member.from_user.id == 57
    assert member.old_chat_member.status == ChatMemberStatus.MEMBER
    assert isinstance(member.new_chat_member, ChatMemberBanned)
    assert member.new_chat_member.status == ChatMemberStatus.KICKED
    assert member.new_chat_member.user.id == 720011


FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "partners" / "telegram"


@pytest.mark.parametrize(
    "name",
    ["update_message_aiogram.json", "update_start_command.json", "update_my_chat_member_kicked.json"],
)
def test_the_documentation_fixtures_are_updates_to_the_library(name):
    """The fixtures herald's parsers are tested on are real updates to the library too.
    (`update_message_webhooks_guide.json` is left out: Telegram's guide predates `Chat.type`,
    which the library requires.)"""
    update = Update.model_validate(json.loads((FIXTURES / name).read_text()))
    chat = (update.message or update.my_chat_member).chat
    assert chat.type == ChatType.PRIVATE and isinstance(chat.id, int)


def test_the_send_message_fixture_is_a_message_to_the_library():
    answer = json.loads((FIXTURES / "send_message_ok.json").read_text())
    message = Message.model_validate(answer["result"])
    assert message.chat.type == ChatType.CHANNEL
    assert message.sender_chat.id == message.chat.id
    assert message.html_text == 'Flood <b>warning</b>: <a href="https://example.org/">details</a>'
