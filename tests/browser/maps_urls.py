"""A test-only URLconf (tests/browser/test_maps.py): one page with the national municipality map and
Kanagawa's map (shapes are links), the prefecture map and the tile map (no links), drawn by
municipalities.registry.maps and styled by the real static/css/site.css."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from municipalities.registry.maps import (
    CREDIT,
    Category,
    Cell,
    Legend,
    japan_map,
    japan_municipality_map,
    load_shapes,
    prefecture_map,
    tile_map,
)

PAGE = """{% load static %}<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>地図の表示テスト</title><link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body><main>
<figure id="national">{{ national }}<figcaption>{{ credit }}</figcaption></figure>
<figure id="kanagawa">{{ kanagawa }}<figcaption>{{ credit }}</figcaption></figure>
<figure id="japan">{{ japan }}<figcaption>{{ credit }}</figcaption></figure>
<figure id="tiles">{{ tiles }}</figure>
</main></body></html>"""


def maps_page(request):
    legend = Legend(categories=[Category("地域社保協なし"), Category("地域社保協あり")])
    national = {
        code: Cell(category=n % 2, text=f"{shape['name']}：地域社保協{'あり' if n % 2 else 'なし'}", href=f"/m/{code}/")
        for n, (code, shape) in enumerate(load_shapes("japan_municipalities")["shapes"].items())
    }
    kanagawa = {code: cell for code, cell in national.items() if code.startswith("14")}
    percent = Legend.percent()
    prefectures = {
        f"{n:02d}": Cell(percent.category_for(n * 2.1), f"{n:02d}：{n * 2.1:.1f}%", short=f"{n * 2.1:.0f}%")
        for n in range(1, 48)
    }
    context = {
        "national": japan_municipality_map(national, legend=legend, title="地域社保協のある市区町村").svg,
        "kanagawa": prefecture_map("14", kanagawa, legend=legend, title="神奈川県の市区町村").svg,
        "japan": japan_map(prefectures, legend=percent, title="都道府県別の割合").svg,
        "tiles": tile_map(prefectures, legend=percent, title="都道府県別の割合（タイル）").svg,
        "credit": CREDIT,
    }
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


urlpatterns = [path("maps/", maps_page)]
