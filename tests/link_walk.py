"""The link walk: open every site page a viewer can reach from their start page, follow every link and form
action, and record what answers 403 (or 404, or 500). Used by tests/test_links_work.py; the engine only, no data.

What a page offers is followed as the viewer would: links (<a href>) and GET forms' actions are opened with
GET; a POST form's action is sent a POST carrying the form's own fields (as rendered, nothing chosen), which a
viewer who may use the form gets answered with 200 (the form again, with its errors) or a redirect, and one who
may not with 403. /admin/ (the admin has its own walks), logout and other sites are not followed.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP_PREFIXES = ("/admin/", "/logout/", "/static/", "/media/", "/password/", "/account/logout")
# How many URLs of one shape (digits replaced) are opened: enough to meet every template and permission
# branch, not every municipality of Japan.
PER_SHAPE = 3


class _Offers(HTMLParser):
    """The links and forms a page offers."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "data": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if tag == "input" or tag == "button":
                self._form["data"].setdefault(a["name"], a.get("value") or "")
            else:
                self._form["data"].setdefault(a["name"], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def shape(url):
    parts = urlsplit(url)
    query = "&".join(sorted(q.split("=", 1)[0] for q in parts.query.split("&") if q))
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", parts.path) + ("?" + query if query else "")


@dataclass
class Walk:
    opened: int = 0
    posted: int = 0
    # (status, method, url, the page that offered it): 403 and 500, and 404 (a link offered to nothing)
    failures: list = field(default_factory=list)

    def fail(self, status, method, url, source):
        self.failures.append((status, method, url, source))


def _same_site(url):
    # webcal:// (a calendar program's subscription) and other schemes are not pages of the site
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")


def walk(client, starts, *, max_pages=400):
    """Walk from `starts` as the client's viewer; returns a Walk with every 403/500 met and where it was offered."""
    result = Walk()
    seen_urls, shapes = set(), {}
    queue = deque((url, "(start)") for url in starts)
    posted = set()
    while queue and result.opened < max_pages:
        url, source = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        response = client.get(url)
        result.opened += 1
        if response.status_code in (403, 404, 500):
            result.fail(response.status_code, "GET", url, source)
            continue
        if response.status_code in (301, 302):
            target = response["Location"]
            if _follow(target, seen_urls, shapes):
                queue.append((target, url))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        offers = _Offers()
        offers.feed(response.content.decode())
        for href in offers.links:
            target = urljoin(url, href.split("#", 1)[0])
            if _follow(target, seen_urls, shapes):
                queue.append((target, url))
        for form in offers.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            if not _same_site(action) or urlsplit(action).path.startswith(SKIP_PREFIXES):
                continue
            if form["method"] == "get":
                target = action.split("?", 1)[0]
                query = "&".join(f"{k}={v}" for k, v in form["data"].items() if v)
                target = f"{target}?{query}" if query else target
                if _follow(target, seen_urls, shapes):
                    queue.append((target, url))
            elif (key := shape(action)) not in posted:
                posted.add(key)
                answer = client.post(urlsplit(action).path + _query(action), form["data"])
                result.posted += 1
                if answer.status_code in (403, 404, 500):
                    result.fail(answer.status_code, "POST", action, url)
    return result


def _query(url):
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def _follow(url, seen, shapes):
    if not _same_site(url):
        return False
    path = urlsplit(url).path
    if path.startswith(SKIP_PREFIXES) or url in seen:
        return False
    key = shape(url)
    shapes[key] = shapes.get(key, 0) + 1
    return shapes[key] <= PER_SHAPE
