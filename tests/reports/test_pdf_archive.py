"""Every PDF is tagged and says what it is; the documents kept for decades are PDF/A.

Each registered kind that makes a PDF is generated once from the demo (the module's data) and read back with
pypdf: the structure tree and MarkInfo, the language, title, author (the council), subject (the kind) and
creation date in the document information and the XMP, PDF/A-2u's identification and output intent for the
three archival kinds (PDF/UA-1's for the others), fonts embedded, and the pictures drawn exactly as an untagged
PDF of the same HTML draws them.
"""

import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ContentStream

from campaigns.materials.models import Order
from demo.newsletters import KANAGAWA_TITLE
from reports import documents, services
from reports.models import Newsletter
from shaho.core.report_kinds import all_kinds, get_kind

pytestmark = [pytest.mark.django_db, pytest.mark.print_layout]

# One request per kind that makes a PDF, on the demo's data (a new PDF kind must be added here: see the first test).
REQUESTS = {
    "policy_draft": {"meeting": "64"},
    "calendar": {"prefecture": "14", "start": "2023-11-01", "end": "2024-03-31"},
    "council_directory": {"prefecture": "14"},
    "assembly_summary": {"campaign": "kokuho-ikensho"},
    "caravan_compilation": {"prefecture": "14", "year": "2023"},
    "prefecture_report": {"prefecture": "14", "start": "2023-11-01", "end": "2023-12-31"},
    "tally_table": {"petition": "article25-2019", "date": "2020-08-31", "format": "pdf"},
    "consultation_summary": {"date": "2023-11-11"},
    # The demo's Kanagawa pamphlet order, looked up once the demo is there (its number is its key).
    "material_invoice": lambda: {"order": Order.objects.get(material__slug="kokuho-pamphlet").number},
    # The demo's 神奈川社保協ニュース 第1号 (demo.newsletters), with its photos.
    "newsletter": lambda: {"newsletter": Newsletter.objects.get(title=KANAGAWA_TITLE, number=1).pk},
}
ARCHIVAL = {"policy_draft", "caravan_compilation", "assembly_summary"}
# Kinds whose documents carry pictures (maps, charts): drawn the same tagged and untagged.
WITH_PICTURES = ("policy_draft", "assembly_summary")

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XMP_NAMES = {
    "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
    "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
}


def _generate(kind, params):
    """Run `kind` as a job does, keeping the final HTML: (job, PDF bytes, HTML)."""
    job, _ = services.request_job(kind=kind, params=params, user=None)
    job = services.start_attempt(job_id=job.pk, attempt=job.attempt + 1)
    timings = {}
    services.render_job(job=job, timings=timings)
    job.refresh_from_db()
    with job.file.open("rb") as f:
        return job, f.read(), timings["html_source"]


@pytest.fixture(scope="module")
def made(demo, django_db_blocker):
    """Each kind's PDF, generated once for the module from the demo (the module's data)."""
    with django_db_blocker.unblock():
        return {kind: _generate(kind, params() if callable(params) else params) for kind, params in REQUESTS.items()}


def _xmp(reader):
    """The XMP packet's properties as {"pdfaid:part": "2", "dc:creator": ["…"], …} (attributes and elements)."""
    root = ET.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    found = {}
    for description in root.iter(f"{RDF}Description"):
        for name, value in description.attrib.items():
            found[_short(name)] = value
        for child in description:
            found[_short(child.tag)] = [li.text for li in child.iter(f"{RDF}li")] or child.text
    return found


def _short(name):
    match = re.match(r"\{(.*)\}(.*)", name)
    if not match:
        return name
    return f"{XMP_NAMES.get(match[1], match[1])}:{match[2]}"


def _pdf_date(value):
    """D:20261207010228+09'00 → an aware datetime."""
    match = re.fullmatch(r"D:(\d{14})([+-])(\d\d)'(\d\d)'?", value)
    assert match, value
    offset = datetime.timedelta(hours=int(match[3]), minutes=int(match[4])) * (1 if match[2] == "+" else -1)
    return datetime.datetime.strptime(match[1], "%Y%m%d%H%M%S").replace(tzinfo=datetime.timezone(offset))


def _fonts(resources, seen=None):
    """Every font dictionary reachable from `resources` (the page's and its form XObjects')."""
    seen = set() if seen is None else seen
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        ref = getattr(xobject, "idnum", None)
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and ref not in seen:
            seen.add(ref)
            yield from _fonts(xobject.get("/Resources"), seen)


def _embedded(font):
    """The font program is inside the PDF (a Type0 font's descendant, or the font itself)."""
    for described in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
        descriptor = described.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return False
    return True


PAINTING = {b"f", b"f*", b"F", b"S", b"s", b"B", b"B*", b"b", b"b*", b"sh", b"Tj", b"TJ"}


def _painted(reader, page):
    """What a page paints: fills, strokes, shadings, text runs, images (form XObjects followed)."""
    counts = Counter()

    def walk(contents, resources):
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject") or {}
        for operands, operator in ContentStream(contents, reader).operations:
            if operator in PAINTING:
                counts[operator.decode()] += 1
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources"))
                else:
                    counts["image"] += 1

    walk(page.get_contents(), page.get("/Resources"))
    return counts


def test_every_kind_that_makes_a_pdf_is_generated_here():
    pdf_kinds = {kind.name for kind in all_kinds() if "pdf" in kind.formats}
    assert pdf_kinds == set(REQUESTS)
    assert {kind.name for kind in all_kinds() if kind.archival} == ARCHIVAL


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_every_pdf_is_tagged_and_says_what_it_is(made, kind):
    job, content, _ = made[kind]
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]

    # The structure tree: a Document element with its content under it, marked as tagged.
    tree = catalog["/StructTreeRoot"].get_object()
    document = tree["/K"][0].get_object()
    assert document["/S"] == "/Document" and len(document["/K"]) > 0
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "ja"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True

    # The document information: title, the council as author, the kind as subject, when it was made.
    info = reader.metadata
    assert info["/Title"] == job.title
    assert info["/Author"] == job.council.name
    assert info["/Subject"] == str(get_kind(kind).label)
    created = _pdf_date(info["/CreationDate"])
    assert created.utcoffset() == datetime.timedelta(hours=9)  # Asia/Tokyo
    assert abs(created - job.finished_at) < datetime.timedelta(minutes=1)

    # The same in the XMP packet, with the variant's identification.
    xmp = _xmp(reader)
    assert xmp["dc:title"] == [job.title] and xmp["dc:creator"] == [job.council.name]
    assert xmp["dc:description"] == [str(get_kind(kind).label)]
    assert xmp["xmp:CreateDate"].startswith(timezone.localtime(job.finished_at).date().isoformat())
    if kind in ARCHIVAL:
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "U")
        (intent,) = catalog["/OutputIntents"]
        assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
        assert "pdfuaid:part" not in xmp
    else:
        assert xmp["pdfuaid:part"] == "1" and "pdfaid:part" not in xmp

    # Fonts embedded (PDF/A requires it; every reader prints the same glyphs), and the text still extracts.
    fonts = [font for page in reader.pages for font in _fonts(page.get("/Resources"))]
    assert fonts and all(_embedded(font) for font in fonts)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text)) > 50


@pytest.mark.parametrize("kind", WITH_PICTURES)
def test_pictures_draw_the_same_as_in_an_untagged_pdf(made, kind):
    job, content, html = made[kind]
    tagged = PdfReader(io.BytesIO(content))
    plain = PdfReader(io.BytesIO(documents.layout(html).write_pdf()))  # WeasyPrint's defaults: untagged

    assert len(tagged.pages) == len(plain.pages) == job.page_count
    drawn = [_painted(tagged, page) for page in tagged.pages]
    assert drawn == [_painted(plain, page) for page in plain.pages]
    # …and there is a picture to compare: a map fills a shape per prefecture or municipality (47 and up).
    fills = ("f", "f*", "B", "B*", "b", "b*")
    assert max(sum(counts[op] for op in fills) for counts in drawn) >= 47
