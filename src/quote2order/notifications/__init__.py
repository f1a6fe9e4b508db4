"""Notifications and documents: settings, the outbox recorder, the dispatcher, the ports.

Wire it in one place::

    recorder = NotificationRecorder(StaticSettings(), StaticSellerDirectory(seller), ids)
    service = Quote2Order(store, handlers=[recorder])
    dispatcher = Dispatcher(store.outbox_store, UnitOfWorkDocuments(store), notifier,
                            [HtmlRenderer(), PdfRenderer()], clock=SystemClock())

Nothing here imports an adapter or an optional dependency (jinja2, fpdf2, smtplib).
"""

from quote2order.notifications.compose import compose_message
from quote2order.notifications.dispatcher import Backoff, Dispatcher, DispatchReport
from quote2order.notifications.documents import (
    DocumentSource,
    RenderedDocument,
    Renderer,
    UnitOfWorkDocuments,
    document_filename,
)
from quote2order.notifications.loop import DispatchLoop, LoopCounts, Wakeup
from quote2order.notifications.messages import (
    Attachment,
    Message,
    Notifier,
    message_id_for,
    to_email_message,
)
from quote2order.notifications.recorder import NotificationRecorder
from quote2order.notifications.sellers import (
    BankAccount,
    DocumentTexts,
    EarlyPaymentDiscount,
    Logo,
    PaymentTerms,
    Seller,
    SellerDirectory,
    StaticSellerDirectory,
    iban_is_valid,
)
from quote2order.notifications.settings import (
    Channel,
    Notification,
    NotificationSetting,
    NotificationSettings,
    SettingsProvider,
    StaticSettings,
)
from quote2order.notifications.snapshots import DocumentKind
from quote2order.notifications.views import DocumentView, document_view

__all__ = [
    "Attachment",
    "Backoff",
    "BankAccount",
    "Channel",
    "DispatchLoop",
    "DispatchReport",
    "Dispatcher",
    "DocumentKind",
    "DocumentSource",
    "DocumentTexts",
    "DocumentView",
    "EarlyPaymentDiscount",
    "Logo",
    "LoopCounts",
    "Message",
    "Notification",
    "NotificationRecorder",
    "NotificationSetting",
    "NotificationSettings",
    "Notifier",
    "PaymentTerms",
    "RenderedDocument",
    "Renderer",
    "Seller",
    "SellerDirectory",
    "SettingsProvider",
    "StaticSellerDirectory",
    "StaticSettings",
    "UnitOfWorkDocuments",
    "Wakeup",
    "compose_message",
    "document_filename",
    "document_view",
    "iban_is_valid",
    "message_id_for",
    "to_email_message",
]
