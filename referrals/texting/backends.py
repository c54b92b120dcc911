"""Where texts go, chosen like Django's e-mail backends by ``SMS_BACKEND``.

A backend's ``send`` returns the provider's message id, raises
``TransientSendError`` when trying again later may work (the provider is down)
and ``RefusedSendError`` when it will not (the provider refuses the number)."""

import abc
import json
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


class TransientSendError(Exception):
    pass


class RefusedSendError(Exception):
    pass


class BaseBackend(abc.ABC):
    """What every backend does; each one below is a complete way to send."""

    @abc.abstractmethod
    def send(self, *, to: str, sender: str, body: str, status_callback: str) -> str:
        """Send one text; return the provider's message id."""


class ConsoleBackend(BaseBackend):
    """Prints each text (local runs without a var/ folder to read)."""

    def send(self, *, to, sender, body, status_callback):
        message_id = f"console-{uuid.uuid4().hex}"
        print(f"Text {message_id} from {sender} to {to}:\n{body}\n")  # noqa: T201
        return message_id


class FileBackend(BaseBackend):
    """One JSON file per text under ``SMS_FILE_PATH`` (var/texts/), readable."""

    def send(self, *, to, sender, body, status_callback):
        message_id = f"file-{uuid.uuid4().hex}"
        folder = settings.SMS_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "id": message_id,
            "to": to,
            "from": sender,
            "body": body,
            "sent_at": timezone.now().isoformat(),
        }
        path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{message_id}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return message_id


class TwilioBackend(BaseBackend):
    """Twilio's Messages API through the official SDK."""

    def _client(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ImproperlyConfigured(
                "Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send texts."
            )
        base = settings.TWILIO_API_BASE.rstrip("/")

        class HttpClient(TwilioHttpClient):
            def request(self, method, url, *args, **kwargs):
                if base:
                    url = url.replace("https://api.twilio.com", base, 1)
                return super().request(method, url, *args, **kwargs)

        return Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=HttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS),
        )

    def send(self, *, to, sender, body, status_callback):
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        try:
            message = self._client().messages.create(
                to=to, from_=sender, body=body, status_callback=status_callback
            )
        except TwilioRestException as error:
            if error.status >= 500 or error.status == 429:
                raise TransientSendError(f"Twilio {error.status}") from error
            raise RefusedSendError(f"Twilio {error.status} {error.code}") from error
        except RequestException as error:
            raise TransientSendError(type(error).__name__) from error
        return message.sid


class MemoryBackend(BaseBackend):
    """Keeps texts in ``MemoryBackend.outbox`` (tests), like Django's locmem mail."""

    outbox: list[dict] = []

    def send(self, *, to, sender, body, status_callback):
        message_id = f"memory-{uuid.uuid4().hex}"
        self.outbox.append({"id": message_id, "to": to, "from": sender, "body": body})
        return message_id


def backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
