"""Write side of newsletters: photos uploaded as managed images, issues, articles, the digest."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from shaho.core import images
from shaho.core.scoping import require_in_scope

from .models import Photo, PhotoAudience


@transaction.atomic
def photo_add(*, user, data, name, caption, action=None, article=None, audience=PhotoAudience.MEMBERS, order=0):
    """A Photo of `action` or `article` from the uploaded bytes `data`, re-encoded without metadata.

    The photo's council is its record's (the action's organiser, the article's newsletter's council),
    which must be within `user`'s scope (None: a system run). Raises ValidationError in Japanese
    naming the file for anything images.prepare refuses; nothing is stored then.
    """
    if (action is None) == (article is None):
        raise ValidationError("写真は行動か記事のどちらか一つに登録してください。")
    council = action.organiser if action is not None else article.newsletter.council
    require_in_scope(user, council)
    if not (caption or "").strip():
        raise ValidationError({"caption": f"写真「{name}」の説明（キャプション）を入力してください。"})
    prepared = images.prepare(data, name=name)
    photo = Photo(
        council=council,
        action=action,
        article=article,
        caption=caption.strip(),
        audience=audience,
        order=order,
        extension=prepared.extension,
        width=prepared.width,
        height=prepared.height,
        uploaded_by=user,
    )
    photo.image.save(f"photo.{prepared.extension}", ContentFile(prepared.content), save=False)
    photo.full_clean()
    photo.save()
    return photo


def photo_update(*, photo, user, caption=None, audience=None):
    require_in_scope(user, photo.council)
    if caption is not None:
        photo.caption = caption.strip()
    if audience is not None:
        photo.audience = audience
    photo.full_clean()
    photo.save()
    return photo
