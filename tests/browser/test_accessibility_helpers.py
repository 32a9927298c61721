from .accessibility import inline_code


def test_inline_code_finds_inline_scripts_and_styles_only():
    page = '<script src="/static/a.js"></script><script>alert(1)</script><p style="color:red">x</p><style>p{}</style>'

    assert inline_code(page) == ["<script>", '<p style="color:red"', "<style"]
    assert inline_code('<script type="module" src="/a.js" nonce="n"></script><p class="style">x</p>') == []
    assert inline_code('<script id="js_data" type="application/json">{"a": 1}</script>') == []
