"""A Notifier that sends e-mail through an SMTP server (standard library only).

Security options: ``security="starttls"`` (the default: upgrade on port 587, and give up if
the server does not offer it), ``"tls"`` (implicit TLS, port 465) or ``"none"`` (a local
relay). ``username``/``password`` log in after TLS; a login over an unencrypted connection
would send the password in the clear, so it is refused unless the host passes
``allow_unencrypted_login=True``. The envelope names exactly the message's sender and its
one recipient, never addresses read back from the headers.
Transient server answers (4xx, lost connections) raise a retryable DeliveryError;
permanent ones (5xx for the recipient or the message) raise ``permanent=True``.
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Literal

from quote2order.errors import DeliveryError, ValidationError
from quote2order.notifications.messages import Message, to_email_message

__all__ = ["SmtpNotifier"]

Security = Literal["none", "starttls", "tls"]
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class SmtpNotifier:
    """Sends each message over its own SMTP connection.

    One connection per message keeps a failure contained to that message; at the
    dispatcher's rates (see benchmarks/bench_documents.py) the handshake is not the limit.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        allow_unencrypted_login: bool = False,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in _DEFAULT_PORTS:
            raise ValidationError(f"security must be 'none', 'starttls' or 'tls', not {security!r}")
        if (username is None) != (password is None):
            raise ValidationError("give both username and password, or neither")
        if username is not None and security == "none" and not allow_unencrypted_login:
            raise ValidationError(
                "refusing to log in over an unencrypted connection: use security='starttls' "
                "or 'tls', or pass allow_unencrypted_login=True for a trusted local relay"
            )
        self.host = host
        self.port = _DEFAULT_PORTS[security] if port is None else port
        self.security = security
        self._username = username
        self._password = password
        self._timeout = timeout
        # Loading the system's CA certificates takes milliseconds: do it once, and only for TLS.
        self._context = ssl_context
        if self._context is None and security != "none":
            self._context = ssl.create_default_context()
        self._local_hostname = local_hostname

    def _connect(self) -> smtplib.SMTP:
        context = self._context
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self._timeout,
                context=context,
                local_hostname=self._local_hostname,
            )
        client = smtplib.SMTP(
            self.host, self.port, timeout=self._timeout, local_hostname=self._local_hostname
        )
        if self.security == "starttls":
            client.starttls(context=context)
        return client

    def send(self, message: Message) -> None:
        mail = to_email_message(message)
        try:
            with self._connect() as client:
                if self._username is not None and self._password is not None:
                    client.login(self._username, self._password)
                # The envelope is the message's one recipient, not what the headers say.
                refused = client.send_message(
                    mail, from_addr=message.sender_email, to_addrs=[message.recipient_email]
                )
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login failed: {exc.smtp_code}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code}: {exc.smtp_error!r}",
                permanent=exc.smtp_code >= 500,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery failed: {exc}") from exc
        if refused:
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)
