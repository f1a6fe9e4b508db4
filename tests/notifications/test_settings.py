import pytest

from quote2order import ValidationError
from quote2order.notifications import (
    Channel,
    Notification,
    NotificationSetting,
    NotificationSettings,
    StaticSettings,
)


def test_defaults_switch_every_notification_on_with_both_channels() -> None:
    settings = NotificationSettings.default()
    for notification in Notification:
        assert settings.channels(notification) == {Channel.EMAIL, Channel.PORTAL}


def test_a_switched_off_notification_has_no_channels_even_if_some_are_listed() -> None:
    settings = NotificationSettings({Notification.ORDER_CONFIRMATION: NotificationSetting(False)})
    assert settings.channels(Notification.ORDER_CONFIRMATION) == frozenset()
    assert settings.channels(Notification.PROFORMA_INVOICE) == set(Channel)


def test_only_keeps_the_named_notifications_on_with_the_given_channels() -> None:
    settings = NotificationSettings.only(Notification.PROFORMA_INVOICE, channels=[Channel.PORTAL])
    assert settings.channels(Notification.PROFORMA_INVOICE) == {Channel.PORTAL}
    assert settings.channels(Notification.ORDER_CONFIRMATION) == frozenset()


def test_with_setting_changes_one_notification_and_leaves_the_original_alone() -> None:
    original = NotificationSettings.default()
    changed = original.with_setting(Notification.QUOTE_VERSION, channels=[Channel.EMAIL])
    assert changed.channels(Notification.QUOTE_VERSION) == {Channel.EMAIL}
    assert original.channels(Notification.QUOTE_VERSION) == set(Channel)


def test_an_unknown_channel_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        NotificationSetting(True, frozenset({"fax"}))  # type: ignore[arg-type]


def test_static_settings_fall_back_to_the_default_for_unknown_resellers() -> None:
    quiet = NotificationSettings.only()
    provider = StaticSettings({"r-1": quiet})
    assert provider.settings_for("r-1") is quiet
    assert provider.settings_for("r-2") == NotificationSettings.default()
