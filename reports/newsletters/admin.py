"""Admin of newsletters, their articles and photos: scoped, every write through reports.newsletters.services.

A photo is uploaded through its own form field and made a managed image by `photo_add` (the stored file
is never what the browser sent); afterwards only its caption, audience and order change.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from shaho.core import blocks, figures
from shaho.core.admin import ScopedAdmin, ServiceAdmin, ServiceInline

from .. import tasks
from . import services
from .forms import PhotoForm
from .models import Article, Newsletter, Photo


class ArticleInline(ServiceInline):
    services, service_noun = services, "article"
    model = Article
    fk_name = "newsletter"
    fields = ["order", "title", "body", "author_council"]
    template = "admin/edit_inline/stacked.html"


@admin.register(Newsletter)
class NewsletterAdmin(ServiceAdmin):
    services, service_noun = services, "newsletter"
    list_display = ["__str__", "date", "council", "is_digest", "pages"]
    list_select_related = ["council"]
    search_fields = ["title", "publisher"]
    list_filter = ["is_digest"]
    date_hierarchy = "date"
    fields = ["council", "title", "number", "date", "publisher", "is_digest", "period_start", "period_end"]
    inlines = [ArticleInline]
    actions = ["make_pdf"]
    change_form_template = "admin/reports/newsletter/change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        # Under the articles, what an article may insert, from the registries themselves (as a chapter's page).
        context.update(chapter_figures=figures.known_placeholders(), chapter_blocks=blocks.known_blocks())
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description="ページ")
    def pages(self, obj):
        return format_html(
            '<a href="{}">記録から記事</a>・<a href="{}">テキスト</a>',
            reverse("reports:newsletter_from_record", args=[obj.pk]),
            reverse("reports:newsletter_export", args=[obj.pk, "md"]),
        )

    @admin.action(description="ニュース（PDF）を作成する")
    def make_pdf(self, request, queryset):
        for newsletter in queryset:
            try:
                params = {"newsletter": str(newsletter.pk)}
                job = tasks.request_report(kind="newsletter", params=params, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
                continue
            url = reverse("reports:job", args=[job.token])
            note = format_html('「{}」を受け付けました: <a href="{}">進捗を見る</a>', job.title, url)
            self.message_user(request, note)


@admin.register(Photo)
class PhotoAdmin(ScopedAdmin):
    form = PhotoForm
    list_display = ["caption", "council", "action", "article", "audience", "size"]
    list_select_related = ["council", "action", "article"]
    search_fields = ["caption"]
    list_filter = ["audience"]
    readonly_fields = ["council", "size", "uploaded_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "action", "article", "caption", "audience", "order"]
        return ["caption", "audience", "order", "council", "size", "uploaded_at"]

    @admin.display(description="大きさ")
    def size(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width else ""

    def save_model(self, request, obj, form, change):
        if change:
            services.photo_update(photo=obj, user=request.user, caption=obj.caption, audience=obj.audience)

    def delete_model(self, request, obj):
        services.photo_delete(user=request.user, photo=obj)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            services.photo_delete(user=request.user, photo=photo)
