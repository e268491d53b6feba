"""Photos for the newsletter tests, drawn with Pillow here (no binary files in git)."""

import io

from PIL import Image, ImageDraw

# EXIF tags: GPSInfo, Make, Model, Orientation, Software; GPS: latitude ref and latitude.
GPS_IFD, MAKE, MODEL, ORIENTATION, SOFTWARE = 0x8825, 0x010F, 0x0110, 0x0112, 0x0131
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,27.0N"/></rdf:RDF></x:xmpmeta>'
)


def drawing(size=(640, 480), colour=(200, 60, 40)):
    image = Image.new("RGB", size, (240, 240, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([size[0] // 8, size[1] // 8, size[0] // 2, size[1] // 2], fill=colour)
    return image


def jpeg_with_gps(size=(640, 480), orientation=1):
    """A JPEG as a phone writes it: GPS position, camera make and model, orientation, and an XMP packet."""
    image = drawing(size)
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Pocket 12 Pro"
    exif[SOFTWARE] = "camera 1.0"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 27.0, 0.0), 3: "E", 4: (139.0, 38.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), xmp=XMP, comment=b"Sakuragicho")
    return out.getvalue()


def png(size=(300, 200), alpha=False):
    image = drawing(size).convert("RGBA" if alpha else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def webp(size=(300, 200)):
    out = io.BytesIO()
    drawing(size).save(out, format="WEBP")
    return out.getvalue()


def bomb(side=20_000):
    """A PNG of a few kilobytes that decodes to side × side pixels."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()
