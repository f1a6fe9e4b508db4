"""Notification settings: per reseller and notification, on or off and through which channels.

The defaults (:meth:`NotificationSettings.default`) switch every notification on with
both channels, e-mail and the customer portal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from quote2order.errors import ValidationError

__all__ = [
    "Channel",
    "Notification",
    "NotificationSetting",
    "NotificationSettings",
    "SettingsProvider",
    "StaticSettings",
]


class Notification(enum.Enum):
    """What the customer is told, and the event that causes it."""

    ORDER_CONFIRMATION = "order_confirmation"  # on OrderConfirmed
    SHIPPING_CONFIRMATION = (
        "shipping_confirmation"  # on OrderCompleted / OrderShipped: delivery note
    )
    PROFORMA_INVOICE = "proforma_invoice"  # on OrderInvoiced
    QUOTE_VERSION = "quote_version"  # on QuoteSent of version 2 or later


class Channel(enum.Enum):
    """How a notification reaches the customer."""

    EMAIL = "email"  # an e-mail with the document attached
    PORTAL = "portal"  # the document, published in the customer's quote portal


def _channels(value: Iterable[Channel]) -> frozenset[Channel]:
    channels = frozenset(value)
    for channel in channels:
        if not isinstance(channel, Channel):
            raise ValidationError(f"unknown notification channel {channel!r}")
    return channels


@attrs.frozen
class NotificationSetting:
    """One notification: whether it is sent, and through which channels."""

    enabled: bool = True
    channels: frozenset[Channel] = attrs.field(default=frozenset(Channel), converter=_channels)

    @property
    def active_channels(self) -> frozenset[Channel]:
        """The channels used: none when switched off."""
        return self.channels if self.enabled else frozenset()


def _settings(
    value: Mapping[Notification, NotificationSetting],
) -> Mapping[Notification, NotificationSetting]:
    for notification, setting in value.items():
        if not isinstance(notification, Notification):
            raise ValidationError(f"unknown notification {notification!r}")
        if not isinstance(setting, NotificationSetting):
            raise ValidationError(f"setting of {notification.value} must be a NotificationSetting")
    return dict(value)


@attrs.frozen
class NotificationSettings:
    """A reseller's notification settings; a notification not listed uses the default."""

    settings: Mapping[Notification, NotificationSetting] = attrs.field(
        factory=dict, converter=_settings
    )
    default_setting: NotificationSetting = NotificationSetting()

    @classmethod
    def default(cls) -> NotificationSettings:
        """Every notification on, by e-mail and in the portal."""
        return cls()

    @classmethod
    def only(
        cls, *notifications: Notification, channels: Iterable[Channel] = tuple(Channel)
    ) -> NotificationSettings:
        """Only ``notifications`` on (through ``channels``); all others off."""
        on = NotificationSetting(True, frozenset(channels))
        return cls(
            {n: on if n in notifications else NotificationSetting(False) for n in Notification}
        )

    def setting(self, notification: Notification) -> NotificationSetting:
        """The setting of ``notification``."""
        return self.settings.get(notification, self.default_setting)

    def channels(self, notification: Notification) -> frozenset[Channel]:
        """The channels ``notification`` goes through (empty when it is off)."""
        return self.setting(notification).active_channels

    def with_setting(
        self,
        notification: Notification,
        *,
        enabled: bool = True,
        channels: Iterable[Channel] = tuple(Channel),
    ) -> NotificationSettings:
        """A copy with ``notification`` set as given."""
        changed = dict(self.settings)
        changed[notification] = NotificationSetting(enabled, frozenset(channels))
        return attrs.evolve(self, settings=changed)


class SettingsProvider(Protocol):
    """The host's source of each reseller's notification settings."""

    def settings_for(self, reseller_id: str) -> NotificationSettings:
        """The settings of ``reseller_id`` (the defaults when it has none)."""
        ...


class StaticSettings:
    """Settings from a dict, with one fallback for resellers not in it."""

    def __init__(
        self,
        per_reseller: Mapping[str, NotificationSettings] | None = None,
        default: NotificationSettings | None = None,
    ) -> None:
        self._per_reseller = dict(per_reseller or {})
        self._default = default or NotificationSettings.default()

    def settings_for(self, reseller_id: str) -> NotificationSettings:
        return self._per_reseller.get(reseller_id, self._default)
