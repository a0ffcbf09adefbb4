"""Two languages: Simplified Chinese by default, English on request.

The locale is, in order: ``?lang=`` (remembered in the session), the session's earlier choice,
the browser's Accept-Language, then the configured default. Every user-facing string goes
through ``gettext``/``_`` so both catalogs stay complete (a test checks them).
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel

from gisapp.settings import Settings

LOCALES = ("zh_Hans", "en")
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}


def _normalise(tag: str) -> str | None:
    tag = tag.replace("_", "-").lower()
    if tag.startswith("en"):
        return "en"
    if tag.startswith("zh"):
        return "zh_Hans"
    return None


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked and (chosen := _normalise(asked)):
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    if remembered in LOCALES:
        return str(remembered)
    for tag, _quality in request.accept_languages:
        if chosen := _normalise(tag):
            return chosen
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings.default_locale


def current_locale() -> str:
    """The request's locale code (``zh_Hans`` or ``en``)."""
    from flask_babel import get_locale

    loc = get_locale()
    return "en" if loc is not None and loc.language == "en" else "zh_Hans"


def init_app(app: Flask, settings: Settings) -> None:
    Babel(
        app,
        default_locale=settings.default_locale,
        locale_selector=select_locale,
        default_translation_directories="translations",
        default_timezone=settings.timezone,
    )

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        from gisapp.geo.models import LEVEL_NAMES

        loc = current_locale()
        names = {k: v[1] if loc == "en" else v[0] for k, v in LEVEL_NAMES.items()}
        return {"locale": loc, "html_lang": HTML_LANG[loc], "level_names": names}
