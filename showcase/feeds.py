"""The showcase's RSS and Atom feeds for new-media editors (django.contrib.syndication)."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from showcase.selectors import Item, feed_items


class ShowcaseFeed(Feed):  # type: ignore[type-arg]
    title = "党建工作展示：战疫故事与先进事迹"
    link = "/showcase/"
    description = "已发布的战疫故事汇、先进事迹与表彰名单"

    def items(self) -> list[Item]:
        return feed_items()

    def item_title(self, item: Item) -> str:
        return item.title

    def item_description(self, item: Item) -> str:
        return item.summary

    def item_link(self, item: Item) -> str:
        return item.url

    def item_pubdate(self, item: Item) -> datetime:
        return item.when

    def item_categories(self, item: Item) -> list[str]:
        return [item.category]


class ShowcaseAtomFeed(ShowcaseFeed):
    feed_type = Atom1Feed
    subtitle = ShowcaseFeed.description
