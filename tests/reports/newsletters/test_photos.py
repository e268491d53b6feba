"""Managed photos: only JPEG/PNG/WebP by their bytes, limits, no metadata kept, print size, scoped."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from reports.newsletters import selectors, services
from reports.newsletters.models import PhotoAudience
from shaho.core import images
from tests.campaigns.factories import action

from .photos import GPS_IFD, MAKE, MODEL, ORIENTATION, XMP, bomb, jpeg_with_gps, png, webp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_test_photo_does_carry_gps_camera_and_xmp():
    # Otherwise the next test would pass for nothing.
    image = Image.open(io.BytesIO(jpeg_with_gps()))
    exif = image.getexif()
    assert exif[MAKE] == "PhoneMaker" and exif.get_ifd(GPS_IFD)[1] == "N"
    assert XMP in jpeg_with_gps()


def test_a_jpeg_with_gps_comes_back_without_any_metadata(tokyo_staff, tokyo):
    street = action(tokyo_staff, tokyo, title="宣伝行動")
    photo = services.photo_add(
        user=tokyo_staff, data=jpeg_with_gps(), name="IMG_0001.jpg", caption="駅前の宣伝", action=street
    )
    stored = photo.image.open("rb").read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    for needle in (b"PhoneMaker", b"Pocket 12", b"GPS", b"xmpmeta", b"Sakuragicho", b"Exif"):
        assert needle not in stored
    assert (photo.width, photo.height) == (640, 480)
    assert photo.audience == PhotoAudience.MEMBERS  # 「会員向けのみ」 unless staff say otherwise
    assert photo.council == tokyo


def test_orientation_is_applied_then_dropped():
    # Orientation 6: the camera was turned; the pixels are turned upright and the tag goes.
    prepared = images.prepare(jpeg_with_gps(size=(640, 480), orientation=6), name="turned.jpg")
    image = Image.open(io.BytesIO(prepared.content))
    assert image.size == (480, 640)
    assert ORIENTATION not in image.getexif() and MODEL not in image.getexif()


def test_resized_for_print(settings):
    prepared = images.prepare(jpeg_with_gps(size=(4000, 3000)), name="big.jpg")
    assert (prepared.width, prepared.height) == (2000, 1500)
    settings.SHAHO_IMAGE_PRINT_PX = 800
    assert images.prepare(png(size=(1000, 500)), name="p.png").width == 800


def test_a_png_named_jpg_is_judged_by_its_bytes():
    prepared = images.prepare(png(), name="写真.jpg")
    assert prepared.format == "jpeg"  # re-encoded from its pixels: the name was never read
    assert images.sniff(png()) == "png" and images.sniff(webp()) == "webp"
    transparent = images.prepare(png(alpha=True), name="logo.jpg")
    assert transparent.format == "png"


def test_not_an_image_is_refused_by_its_bytes_whatever_its_name():
    for data, name in ((b"GIF89a" + b"\0" * 64, "anim.jpg"), (b"%PDF-1.7\n", "scan.png"), (b"<svg></svg>", "a.webp")):
        with pytest.raises(ValidationError) as caught:
            images.prepare(data, name=name)
        assert f"画像「{name}」は使えません" in caught.value.messages[0]
        assert "JPEG・PNG・WebP" in caught.value.messages[0]


def test_a_truncated_jpeg_is_refused_in_japanese():
    with pytest.raises(ValidationError, match="画像として読めません"):
        images.prepare(jpeg_with_gps()[:400], name="cut.jpg")


def test_a_decompression_bomb_is_refused_before_decoding():
    data = bomb()
    assert len(data) < 100_000  # a few KB …
    with pytest.raises(ValidationError) as caught:
        images.prepare(data, name="bomb.png")  # … that would decode to 400 million pixels
    assert "画素数が多すぎます" in caught.value.messages[0] and "bomb.png" in caught.value.messages[0]


def test_pixel_and_byte_limits_come_from_settings(settings):
    settings.SHAHO_IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError, match="画素数が多すぎます（300×200"):
        images.prepare(png(size=(300, 200)), name="p.png")
    settings.SHAHO_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="ファイルが大きすぎます"):
        images.prepare(jpeg_with_gps(), name="big.jpg")


def test_nothing_is_stored_for_a_refused_upload(tokyo_staff, tokyo, tmp_path):
    street = action(tokyo_staff, tokyo)
    with pytest.raises(ValidationError):
        services.photo_add(user=tokyo_staff, data=b"nope", name="x.jpg", caption="説明", action=street)
    assert not street.photos.exists()
    assert not (tmp_path / "media" / "photos").exists()


def test_a_caption_is_required(tokyo_staff, tokyo):
    with pytest.raises(ValidationError, match="キャプション"):
        services.photo_add(user=tokyo_staff, data=png(), name="x.png", caption=" ", action=action(tokyo_staff, tokyo))


def test_scoped_tokyos_photo_is_never_kanagawas(tokyo_staff, tokyo, kanagawa_staff, kanagawa, national_staff):
    tokyo_photo = services.photo_add(
        user=tokyo_staff, data=png(), name="t.png", caption="東京の写真", action=action(tokyo_staff, tokyo)
    )
    kanagawa_photo = services.photo_add(
        user=kanagawa_staff, data=png(), name="k.png", caption="神奈川の写真", action=action(kanagawa_staff, kanagawa)
    )
    assert list(selectors.visible_photos(user=kanagawa_staff)) == [kanagawa_photo]
    assert selectors.photo_for(pk=tokyo_photo.pk, user=kanagawa_staff) is None
    assert selectors.photo_for(pk=tokyo_photo.pk, user=tokyo_staff) == tokyo_photo
    assert set(selectors.visible_photos(user=national_staff)) == {tokyo_photo, kanagawa_photo}
    # Kanagawa's staff cannot attach a photo to Tokyo's action either.
    with pytest.raises(PermissionDenied):
        services.photo_add(user=kanagawa_staff, data=png(), name="x.png", caption="説明", action=tokyo_photo.action)


def test_only_photos_marked_public_are_public(tokyo_staff, tokyo):
    street = action(tokyo_staff, tokyo)
    members = services.photo_add(user=tokyo_staff, data=png(), name="a.png", caption="会員向け", action=street)
    public = services.photo_add(
        user=tokyo_staff, data=png(), name="b.png", caption="公開", action=street, audience=PhotoAudience.PUBLIC
    )
    assert list(selectors.public_photos(street.photos.all())) == [public]
    services.photo_update(photo=members, user=tokyo_staff, audience=PhotoAudience.PUBLIC)
    assert set(selectors.public_photos(street.photos.all())) == {members, public}


def test_a_photo_deleted_with_its_record_leaves_no_file(
    tokyo_staff, tokyo, tmp_path, django_capture_on_commit_callbacks
):
    street = action(tokyo_staff, tokyo)
    photo = services.photo_add(user=tokyo_staff, data=png(), name="a.png", caption="説明", action=street)
    path = tmp_path / "media" / photo.image.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        street.delete()  # the action's photos go by cascade, not through photo_delete
    assert not path.exists()
