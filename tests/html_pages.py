"""What a test needs to know about an HTML page's forms: ids, labels, inputs, links.

Parsed with the standard library's HTMLParser, so it reads exactly what the site sent.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs a person fills in or ticks: each needs a name a screen reader can announce.
UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}
LINK_PATTERN = re.compile(r"""(?:href|action)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[dict[str, str]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    options: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.attrs.get("method", "get").lower()


@dataclass
class Page:
    ids: Counter = field(default_factory=Counter)
    label_for: Counter = field(default_factory=Counter)
    # Inputs wrapped by a <label> with no `for`: labelled by it.
    wrapped: set[str] = field(default_factory=set)
    controls: list[dict[str, str]] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    label_texts: dict[str, str] = field(default_factory=dict)

    def labels_of(self, control: dict[str, str]) -> int:
        """How many labels name this control: <label for>, a wrapping label, aria-label(ledby)."""
        control_id = control.get("id", "")
        count = self.label_for[control_id] if control_id else 0
        count += control.get("_wrapped") == "1"
        count += "aria-label" in control
        count += "aria-labelledby" in control
        return count

    def labelled_controls(self) -> list[dict[str, str]]:
        return [
            c
            for c in self.controls
            if not (c["_tag"] == "input" and c.get("type", "text") in UNLABELLED_TYPES)
        ]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.form: Form | None = None
        self.label_stack: list[dict[str, str]] = []
        self.label_text: list[str] = []
        self.select: dict[str, str] | None = None
        self.option: tuple[str, bool] | None = None
        self.button_text: list[str] | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        if "id" in attrs:
            self.page.ids[attrs["id"]] += 1
        if tag == "form":
            self.form = Form(attrs)
            self.page.forms.append(self.form)
        elif tag == "label":
            self.label_stack.append(attrs)
            self.label_text = []
            if "for" in attrs:
                self.page.label_for[attrs["for"]] += 1
        elif tag in ("input", "select", "textarea"):
            control = {**attrs, "_tag": tag}
            if self.label_stack and "for" not in self.label_stack[-1]:
                control["_wrapped"] = "1"
            self.page.controls.append(control)
            if self.form is not None:
                self.form.fields.append(control)
                if tag == "input" and attrs.get("type") == "submit":
                    self.form.buttons.append(attrs.get("value", ""))
            if tag == "select":
                self.select = control
                if self.form is not None:
                    self.form.options[attrs.get("name", "")] = []
        elif tag == "option" and self.select is not None and self.form is not None:
            self.form.options[self.select.get("name", "")].append(
                (attrs.get("value", ""), "selected" in attrs)
            )
        elif tag == "button" and self.form is not None:
            self.button_text = []
            if attrs.get("name"):
                self.form.fields.append({**attrs, "_tag": "button"})

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "label" and self.label_stack:
            label = self.label_stack.pop()
            if "for" in label:
                self.page.label_texts[label["for"]] = " ".join("".join(self.label_text).split())
        elif tag == "select":
            self.select = None
        elif tag == "button" and self.button_text is not None and self.form is not None:
            self.form.buttons.append(" ".join("".join(self.button_text).split()))
            self.button_text = None

    def handle_data(self, data: str) -> None:
        if self.label_stack:
            self.label_text.append(data)
        if self.button_text is not None:
            self.button_text.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def label_problems(html: str) -> list[str]:
    """Why a person with a screen reader could not fill in this page's forms: controls
    without exactly one label, and ids used twice (a label then names the wrong element)."""
    page = parse(html)
    problems = [f"id {name!r} used {count} times" for name, count in page.ids.items() if count > 1]
    for control in page.labelled_controls():
        labels = page.labels_of(control)
        if labels != 1:
            what = control.get("name") or control.get("id") or control["_tag"]
            problems.append(f"{control['_tag']} {what!r} has {labels} labels")
    return problems
