"""The look the citizen's pages share (the letter verification page and the status page): the city's header,
one readable column on a phone, a card on a desktop, Bahasa Indonesia first with English under it, no
JavaScript, no outside fonts or images."""

from __future__ import annotations

import html

# Served with every citizen page: nothing from elsewhere, no framing, no referrer, not cached (a status page
# shows a person's request).
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;background:#eef2f5;
color:#1b2430;font-size:1rem;line-height:1.5}
header.city{background:#0b4f71;color:#fff;border-bottom:4px solid #e0a526}
header.city div{max-width:44rem;margin:0 auto;padding:.8rem 2rem}
header.city strong{display:block;font-size:1.05rem;letter-spacing:.04em}
header.city span{font-size:.85rem;color:#fff;opacity:.92}
main{max-width:44rem;margin:1.5rem auto;background:#fff;border-radius:10px;padding:1.5rem 2rem;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;line-height:1.3;margin:.1rem 0 .9rem;color:#0b3a53}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem;color:#0b3a53}
p{margin:.6rem 0}
.en,[lang=en]{color:#4d5a68;font-size:.92em}
header.city [lang=en],button [lang=en]{color:inherit;font-size:1em;font-weight:400;opacity:.9}
b .en,h2 .en{font-weight:400}
h1+p.en{margin-top:-.6rem}
.hint{font-size:.9em;color:#4d5a68}
.ok{color:#0b6b2f} .bad{color:#a31515}
dl{display:grid;grid-template-columns:11rem 1fr;gap:.45rem 1rem;margin:0}
dt{color:#4d5a68} dd{margin:0;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.3rem .8rem;border-radius:999px;font-weight:600}
.badge.ok{background:#e3f5e9} .badge.bad{background:#fde7e7} .badge.wait{background:#fff4d6;color:#6b4b00}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
label small{display:block;font-weight:400;color:#4d5a68}
input[type=text],input[type=password]{width:100%;font-size:1.1rem;padding:.7rem .8rem;border:1px solid #8a97a5;
border-radius:8px;background:#fff;color:#1b2430}
input:focus,button:focus{outline:3px solid #e0a526;outline-offset:1px}
button{display:block;width:100%;margin-top:1.3rem;font-size:1.05rem;font-weight:600;padding:.8rem 1rem;
border:0;border-radius:8px;background:#0b4f71;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b4f71;border:2px solid #0b4f71}
ol.steps{list-style:none;padding:0;margin:.4rem 0}
ol.steps li{position:relative;padding:.15rem 0 .9rem 2.1rem}
ol.steps li::before{content:'';position:absolute;left:.35rem;top:.35rem;width:.9rem;height:.9rem;border-radius:50%;
border:2px solid #8a97a5;background:#fff}
ol.steps li::after{content:'';position:absolute;left:.77rem;top:1.45rem;bottom:.1rem;border-left:2px solid #c6ced6}
ol.steps li:last-child::after{display:none}
ol.steps li.done::before{background:#0b6b2f;border-color:#0b6b2f}
ol.steps li.stop::before{background:#a31515;border-color:#a31515}
ol.steps li.todo{color:#5d6977}
ol.steps b{display:block} ol.steps small{color:#4d5a68}
.note{background:#f4f7fa;border-left:4px solid #0b4f71;padding:.6rem .9rem;border-radius:4px}
.alert{background:#fde7e7;border-left:4px solid #a31515;padding:.6rem .9rem;border-radius:4px}
footer{font-size:.8rem;color:#4d5a68;margin-top:1.6rem;border-top:1px solid #dde3e8;padding-top:.8rem}
@media (max-width:34rem){body{background:#fff} header.city div{padding:.8rem 1.1rem}
main{margin:0;border-radius:0;padding:1.2rem 1.1rem;box-shadow:none}
dl{grid-template-columns:1fr;gap:.05rem} dd{margin-bottom:.6rem}}
"""

FOOTER_LETTER = ("Ditandatangani secara elektronik dengan sertifikat yang diterbitkan CA Pemerintah Kota Malang "
                 "(UU 11/2008 jo. UU 19/2016 tentang ITE, PP 71/2019).")


def page(title: str, body: str, footer: str = FOOTER_LETTER) -> str:
    """A whole page: ``title`` is plain text, ``body`` and ``footer`` are HTML already escaped."""
    return ('<!doctype html><html lang="id"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><title>{html.escape(title)} — Pemerintah Kota Malang'
            f'</title><style>{STYLE}</style></head><body><header class="city"><div><strong>PEMERINTAH KOTA MALANG'
            '</strong><span>Layanan Administrasi Warga · <span lang="en">Citizen services</span></span></div>'
            f'</header><main>{body}<footer>{footer}</footer></main></body></html>')
