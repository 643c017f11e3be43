"""Markdown extension: turn admonitions into the site's four callout tiers.

Written by hand because the admonition extension only adds CSS classes: a
screen reader would not hear which kind of advice a box holds. Each callout
gets a visually hidden prefix ("Urgent advice:") in its heading, after the
NHS.UK pattern. Unknown tiers are left alone (the validator reports them).

    !!! urgent "Ask for an urgent appointment if"
        - the skin around the wound turns red and hot

An urgent or non-urgent callout ends with "Call the clinic on {clinic_phone}",
which the generator makes the clinic's number, as a link that calls it.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from markupsafe import escape

from ..model.rules import CALLOUT_TIERS, CALLOUTS_WITH_PHONE, CLINIC_PHONE
from ..model.words import N_


class CalloutTreeprocessor(Treeprocessor):
    def run(self, root):
        for div in root.iter("div"):
            classes = (div.get("class") or "").split()
            if "admonition" not in classes:
                continue
            tier = next((c for c in classes if c in CALLOUT_TIERS), None)
            if tier is None:
                continue
            prefix, default_title = CALLOUT_TIERS[tier]
            div.set("class", f"clinic-callout clinic-callout--{tier}")
            title = next((c for c in div if c.tag == "p" and "admonition-title" in (c.get("class") or "")), None)
            if title is None:
                title = etree.Element("p")
                div.insert(0, title)
            text = (title.text or "").strip() or default_title
            if text.lower() == tier.replace("-", " "):  # "!!! urgent" with no title
                text = default_title
            title.tag = "h3"
            title.attrib.clear()
            title.set("class", "clinic-callout__title")
            title.text = None
            hidden = etree.SubElement(title, "span")
            hidden.set("class", "clinic-u-visually-hidden")
            hidden.text = prefix + " "
            hidden.tail = text
            if tier in CALLOUTS_WITH_PHONE:  # the advice is to call: the number is right there
                call = etree.SubElement(div, "p")
                call.set("class", "clinic-callout__call")
                call.text = CALL_LINE  # its {clinic_phone} becomes the number (pages/generator.py)
        return None


class CalloutExtension(Extension):
    def extendMarkdown(self, md):
        # after the admonition block processor has built its divs (treeprocessors run after blocks)
        md.treeprocessors.register(CalloutTreeprocessor(md), "clinic_callouts", 15)


def makeExtension(**kwargs):
    return CalloutExtension(**kwargs)


# The words this extension writes, which the generator gives a translation's page
# in its language: the Markdown reader does not know which file it reads.
CALL_LINE = N_("Call the clinic on {clinic_phone}")


def in_language(html: str, words) -> str:
    """A translation's HTML with the callouts' own words in its language (words:
    the language's gettext)."""
    if "clinic-callout" not in html:
        return html
    for prefix, default_title in CALLOUT_TIERS.values():
        html = html.replace(f'<span class="clinic-u-visually-hidden">{prefix} </span>',
                            f'<span class="clinic-u-visually-hidden">{escape(words(prefix))} </span>')
        html = html.replace(f"</span>{default_title}</h3>", f"</span>{escape(words(default_title))}</h3>")
    return html.replace(CALL_LINE, str(escape(words(CALL_LINE))))
