"""The feed's order: newest first by the last change (Modified, or the review
that moved it, else Date), whatever order the site's listings use. Pelican
sorts its all-articles feed by ARTICLE_ORDER_BY (the title on this site), so a
page late in the alphabet never reached a feed cut at FEED_MAX_ITEMS."""

from __future__ import annotations


def latest(article):
    return getattr(article, "modified", None) or article.date


def newest_first(articles) -> list:
    """Newest first; pages changed on the same day by title, so the order is the same every build."""
    by_title = sorted(articles, key=lambda a: getattr(a, "title", ""))
    return sorted(by_title, key=latest, reverse=True)
