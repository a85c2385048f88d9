#!/usr/bin/env bats
# links.bats: --links against the fixture site (tests/e2e/links-site, whose
# README lists every link, its position and what must happen to it) and the
# fixture server: every link found at its exact FILE:LINE:COLUMN, each URL
# fetched once, local files with and without --base, fragments both ways,
# --include-url/--exclude-url, GitHub annotations, exit statuses, URL
# documents, the folder walk, the polite defaults, shard and resume on the
# extracted URLs.

load helpers

# A fresh server for every test: its /retry-after keys answer 429 once.
setup() {
    fixture_start
    SITE_DIR="$BATS_TEST_DIRNAME/links-site"
    OUT="$BATS_TEST_TMPDIR/out"
    ERR="$BATS_TEST_TMPDIR/err"
    CT=(--connect-to "good.test:80:127.0.0.1:$PORT")
    FAST=(--rate-per-host 1000000/s)
}
teardown() { fixture_stop; }

# lrun ARGS...: volley --links from links-site/ (so documents are
# site/...), good.test sent to the fixture; records in $OUT, stderr in
# $ERR, the exit status in $status.
lrun() {
    status=0
    (cd "$SITE_DIR" && v --links "${CT[@]}" "$@") >"$OUT" 2>"$ERR" || status=$?
}

# log: the targets (path and query) the fixture was asked for, one a line
log() { curl -s --max-time 5 "$BASE/log" | jq -r '.[].path'; }

# by_url: the records as {url: {...}} (one record per url)
by_url() { jq -s 'map({(.url): .}) | add' "$OUT"; }

@test "every distinct URL: fetched once, its sources every FILE:LINE:COLUMN in the order found" {
    lrun -q --json --order input "${FAST[@]}" site site/notes.txt
    [ "$status" -eq 1 ]
    want='{
      "http://good.test/delay/10": ["site/based.html:5:47"],
      "http://good.test/ok": ["site/based.html:8:30", "site/docs/guide.md:10:13", "site/index.md:8:21",
        "site/index.md:9:25", "site/index.md:13:45", "site/page.html:10:22", "site/sitemap.xml:3:13",
        "site/notes.txt:1:34"],
      "http://good.test/status/500": ["site/based.html:9:15", "site/index.md:40:8"],
      "http://good.test/redirect-to?url=/bytes/32&status=301": ["site/based.html:10:15", "site/sitemap.xml:4:13"],
      "http://good.test/bytes/16": ["site/based.html:11:23"],
      "http://good.test/status/404": ["site/based.html:12:23", "site/docs/guide.md:10:54",
        "site/index.md:10:18", "site/notes.txt:1:59"],
      "http://good.test/redirect/2": ["site/index.md:11:40", "site/notes.txt:2:6"],
      "http://good.test/retry-after/429/1/index": ["site/index.md:12:33"],
      "http://good.test/status/410": ["site/page.html:11:15", "site/sitemap.xml:7:7"],
      "http://good.test/retry-after/429/1/sitemap": ["site/sitemap.xml:10:13"],
      "http://good.test/bytes/64?a=1&b=2": ["site/sitemap.xml:11:13", "site/notes.txt:2:50"]
    }'
    # in the order first found, after the local files (seq 1..7)
    have=$(jq -s -c -S '[.[] | select(.scheme != "file") | {(.url): .sources}] | add' "$OUT")
    [ "$have" = "$(jq -c -S . <<<"$want")" ]
    jq -s -e '[.[] | select(.scheme != "file") | .seq] == [range(8; 19)]' "$OUT"
    # input is the first place, as FILE:LINE
    jq -s -e 'map(select(.url == "http://good.test/ok"))[0].input == "site/based.html:8"' "$OUT"
    # results: 404, 410, 500 fail; the 429s passed on their retry; 3xx pass without -L
    jq -s -e '[.[] | select(.scheme != "file" and (.ok | not)) | .url] | sort ==
        ["http://good.test/status/404", "http://good.test/status/410", "http://good.test/status/500"]' "$OUT"
    jq -s -e 'map(select(.url | test("retry-after"))) | all(.ok and .attempts == 2)' "$OUT"
    # each URL asked for once; each 429 once more; nothing in code, comments, mailto: ...
    log | sort >"$BATS_TEST_TMPDIR/log"
    cat >"$BATS_TEST_TMPDIR/want" <<'EOF'
/bytes/16
/bytes/64?a=1&b=2
/delay/10
/ok
/redirect-to?url=/bytes/32&status=301
/redirect/2
/retry-after/429/1/index
/retry-after/429/1/index
/retry-after/429/1/sitemap
/retry-after/429/1/sitemap
/status/404
/status/410
/status/500
EOF
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/log"
}

@test "with -L the redirects are followed to their end, still one request each" {
    lrun -q --json -L "${FAST[@]}" site/sitemap.xml site/notes.txt
    [ "$status" -eq 1 ]
    jq -s -e 'map(select(.url | test("redirect"))) | length == 2 and all(.ok and .http_code == 200)' "$OUT"
    [ "$(log | grep -c '^/redirect/')" -eq 3 ]
    [ "$(log | grep -c '^/redirect-to')" -eq 1 ]
    [ "$(log | grep -c '^/bytes/32$')" -eq 1 ]
}

@test "local files without --base: one record each, url as written, url_effective the path, kind missing" {
    lrun -q --json --order input "${FAST[@]}" site
    [ "$status" -eq 1 ]
    jq -s -c '.[] | select(.scheme == "file") | [.seq, .url, .url_effective, .ok, .error.kind, .sources, .input, .http_code, .attempts]' "$OUT" >"$BATS_TEST_TMPDIR/have"
    cat >"$BATS_TEST_TMPDIR/want" <<'EOF'
[1,"../index.md","site/index.md",true,null,["site/docs/guide.md:5:23"],"site/docs/guide.md:5",0,0]
[2,"../page.html","site/page.html",true,null,["site/docs/guide.md:5:62","site/docs/guide.md:6:26"],"site/docs/guide.md:5",0,0]
[3,"docs/guide.md","site/docs/guide.md",true,null,["site/index.md:20:20","site/index.md:21:31","site/index.md:22:31","site/page.html:12:15"],"site/index.md:20",0,0]
[4,"docs/missing.md","site/docs/missing.md",false,"missing",["site/index.md:24:29"],"site/index.md:24",0,0]
[5,"img/logo.svg","site/img/logo.svg",true,null,["site/index.md:26:21","site/page.html:15:13","site/page.html:15:35"],"site/index.md:26",0,0]
[6,"style.css","site/style.css",true,null,["site/page.html:6:32"],"site/page.html:6",0,0]
[7,"img/logo-2x.svg","site/img/logo-2x.svg",false,"missing",["site/page.html:15:52"],"site/page.html:15",0,0]
EOF
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have"
    # no fragment is checked without --check-fragments
    jq -s -e 'all(.checks == null)' "$OUT"
    # the text format: OK for a file that is there, the places of one that is not
    lrun -q "${FAST[@]}" site
    grep -qx 'OK 0.000 0 style.css' "$OUT"
    grep -qx 'ERR 0.000 0 docs/missing.md missing: No such file or directory; in site/index.md:24:29' "$OUT"
    grep -qx '404 0.000 11 http://good.test/status/404 http: HTTP status outside 2xx/3xx; in site/based.html:12:23, site/docs/guide.md:10:54, site/index.md:10:18' \
        <(sed -E 's/^(404) [0-9.]+ /\1 0.000 /' "$OUT")
}

@test "with --base: relative links are URLs (BASE + the document's path), based.html keeps its <base>" {
    CT+=(--connect-to "docs.test:80:127.0.0.1:$PORT")
    lrun --json --base http://docs.test/site/ "${FAST[@]}" site
    [ "$status" -eq 1 ]
    want='{
      "http://docs.test/site/docs/guide.md": ["site/index.md:20:20", "site/index.md:21:31", "site/index.md:22:31", "site/page.html:12:15"],
      "http://docs.test/site/docs/missing.md": ["site/index.md:24:29"],
      "http://docs.test/site/img/logo.svg": ["site/index.md:26:21", "site/page.html:15:13", "site/page.html:15:35"],
      "http://docs.test/site/index.md": ["site/docs/guide.md:5:23"],
      "http://docs.test/site/page.html": ["site/docs/guide.md:5:62", "site/docs/guide.md:6:26"],
      "http://docs.test/site/style.css": ["site/page.html:6:32"],
      "http://docs.test/site/img/logo-2x.svg": ["site/page.html:15:52"]
    }'
    have=$(jq -s -c '[.[] | select(.url | startswith("http://docs.test/")) | {(.url): .sources}] | add | to_entries | sort_by(.key) | from_entries' "$OUT")
    [ "$have" = "$(jq -c 'to_entries | sort_by(.key) | from_entries' <<<"$want")" ]
    # every one a 404 of the fixture, fetched once; no local file, no fragment-only link fetched
    jq -s -e 'map(select(.url | startswith("http://docs.test/"))) | all(.http_code == 404)' "$OUT"
    jq -s -e 'all(.scheme != "file")' "$OUT"
    [ "$(log | grep -c '^/site/')" -eq 7 ]
    # based.html's relative links still go to good.test
    jq -s -e 'map(select(.url == "http://good.test/bytes/16")) | length == 1' "$OUT"
    grep -q '18 URLs to fetch, 0 local files' "$ERR"
}

@test "--check-fragments: exactly the missing fragments fail, as fragment checks; the others hold" {
    lrun -q --json --check-fragments "${FAST[@]}" site
    [ "$status" -eq 1 ]
    by_url >"$BATS_TEST_TMPDIR/r"
    jq -e '."../index.md".checks == [{"check":"fragment","expected":"#not-here","actual":"no such anchor"}]' "$BATS_TEST_TMPDIR/r"
    jq -e '."../page.html".checks | map(.expected) == ["#no-anchor", "#nowhere"]' "$BATS_TEST_TMPDIR/r"
    jq -e '."docs/guide.md".checks | map(.expected) == ["#no-such-heading"]' "$BATS_TEST_TMPDIR/r"
    jq -e '."docs/guide.md".error == {"kind":"check","code":null,"message":"missing fragment #no-such-heading"}' "$BATS_TEST_TMPDIR/r"
    # fragment-only links are places in their own document: checked, never fetched
    jq -e '."../index.md".sources == ["site/docs/guide.md:5:23", "site/index.md:25:15", "site/index.md:25:33", "site/index.md:25:61"]' "$BATS_TEST_TMPDIR/r"
    jq -e '."docs/guide.md".sources | index("site/docs/guide.md:14:58") != null' "$BATS_TEST_TMPDIR/r"
    jq -e '(."site/based.html" | .ok and .sources == ["site/based.html:13:12"])' "$BATS_TEST_TMPDIR/r"
    # the rest: no check failed; #top on a text/plain body is not checked
    jq -s -e '[.[] | select(.checks) | .url] | sort == ["../index.md", "../page.html", "docs/guide.md"]' "$OUT"
    jq -e '."http://good.test/ok".ok' "$BATS_TEST_TMPDIR/r"
    # the annotations point at exactly the four places of a missing fragment
    lrun -q --check-fragments --report github "${FAST[@]}" site
    grep '#' "$ERR" | sed 's/,title.*::/ /' | sort >"$BATS_TEST_TMPDIR/have"
    cat >"$BATS_TEST_TMPDIR/want" <<'EOF'
::error file=site/docs/guide.md,line=6,col=26 ../page.html#nowhere: check: missing fragment #nowhere
::error file=site/index.md,line=22,col=31 docs/guide.md#no-such-heading: check: missing fragment #no-such-heading
::error file=site/index.md,line=25,col=61 ../index.md#not-here: check: missing fragment #not-here
::error file=site/page.html,line=13,col=51 ../page.html#no-anchor: check: missing fragment #no-anchor
EOF
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have"
    # without the option, fragment-only links are counted as not checked
    lrun -q --json "${FAST[@]}" site
    jq -s -e 'all(.checks == null) and all(.url != "site/based.html")' "$OUT"
}

@test "--check-fragments on fetched bodies: HTML ids and Markdown headings, each URL fetched once" {
    d="$BATS_TEST_TMPDIR/d"
    mkdir "$d"
    page='http://good.test/page?body=%3Ch2%20id%3D%22there%22%3EThere%3C%2Fh2%3E%3Ca%20name%3D%22n%22%3E'
    md='http://good.test/page?type=text/markdown&body=%23%20A%20Title%0A'
    printf '[a](%s#there)\n[b](%s#n)\n[c](%s#gone)\n[d](%s#a-title)\n[e](%s#top)\n' \
        "$page" "$page" "$page" "$md" "$md" >"$d/doc.md"
    lrun -q --json --check-fragments "${FAST[@]}" "$d/doc.md"
    [ "$status" -eq 1 ]
    by_url >"$BATS_TEST_TMPDIR/r"
    jq -e --arg u "${page}" '.[$u].checks == [{"check":"fragment","expected":"#gone","actual":"no such anchor"}]' "$BATS_TEST_TMPDIR/r"
    jq -e --arg u "${md}" '.[$u].ok' "$BATS_TEST_TMPDIR/r"
    [ "$(log | grep -c '^/page')" -eq 2 ]
    # the note names only the place of the missing fragment
    lrun -q --check-fragments "${FAST[@]}" "$d/doc.md"
    grep -q "check: fragment #gone != no such anchor; in $d/doc.md:3:5\$" "$OUT"
    # without --check-fragments the same links pass
    lrun -q --json "${FAST[@]}" "$d/doc.md"
    [ "$status" -eq 0 ]
    # a body cut by --max-body says so
    printf '[a](http://good.test/bytes/100000?type=text/html#far)\n' >"$d/cut.md"
    lrun -q --json --check-fragments --max-body 1k "${FAST[@]}" "$d/cut.md"
    [ "$status" -eq 1 ]
    jq -e '.checks[0].actual == "no such anchor in the first 1024 bytes (--max-body)"' "$OUT"
}

@test "--check-fragments with --base: a URL of one of the run's documents is checked against its anchors" {
    # the fixture answers 200 (text/plain) at every /retry-after/200/0/PATH
    lrun -q --json --check-fragments --base http://good.test/retry-after/200/0/ "${FAST[@]}" site
    [ "$status" -eq 1 ]
    # (keys sorted: records come in completion order, which several loops vary)
    jq -s -c -S '[.[] | select(.url | contains("/200/0/")) | {(.url | sub(".*/200/0/"; "")): [.checks[]?.expected]}] | add' "$OUT" >"$BATS_TEST_TMPDIR/have"
    [ "$(cat "$BATS_TEST_TMPDIR/have")" = '{"docs/guide.md":["#no-such-heading"],"docs/missing.md":[],"img/logo-2x.svg":[],"img/logo.svg":[],"index.md":[],"page.html":["#nowhere"],"style.css":[]}' ]
    # a URL that is not one of them is read from its body: a text/plain .md body has no headings
    lrun -q --json --check-fragments --base http://good.test/retry-after/200/0/x/ "${FAST[@]}" site/index.md
    jq -s -e 'map(select(.url | endswith("/x/site/docs/guide.md")))[0].checks | map(.expected) == ["#installation", "#no-such-heading"]' "$OUT"
}

@test "--exclude-url and --include-url filter the absolute URLs, not the local files" {
    lrun -q --json --exclude-url 'status/|missing' "${FAST[@]}" site
    [ "$status" -eq 1 ] # the missing local files remain
    jq -s -e '[.[] | select(.ok | not) | .error.kind] | unique == ["missing"]' "$OUT"
    [ -z "$(log | grep '^/status/' || true)" ]
    lrun --json --include-url '^http://good\.test/bytes/' "${FAST[@]}" site
    jq -s -c '[.[] | select(.scheme != "file") | .url]' "$OUT" >"$BATS_TEST_TMPDIR/have"
    [ "$(cat "$BATS_TEST_TMPDIR/have")" = '["http://good.test/bytes/16","http://good.test/bytes/64?a=1&b=2"]' ]
    grep -q 'not checked: .*20 excluded (--include-url, --exclude-url)' "$ERR"
    # both: an include, and an exclude within it
    lrun -q --json --include-url 'good\.test/(ok|bytes)' --exclude-url '64' "${FAST[@]}" site
    [ "$(jq -s -c '[.[] | select(.scheme != "file") | .url]' "$OUT")" = '["http://good.test/ok","http://good.test/bytes/16"]' ]
    # a bad pattern is a usage error, nothing fetched
    lrun --exclude-url '(' site
    [ "$status" -eq 2 ]
    grep -q "exclude-url '(': missing closing parenthesis" "$ERR"
}

@test "--report github: one annotation per place of each broken link, escaped as the runner reads them" {
    lrun -q --report github "${FAST[@]}" site/index.md
    [ "$status" -eq 1 ]
    cat >"$BATS_TEST_TMPDIR/want" <<'EOF'
::error file=site/index.md,line=24,col=29,title=broken link::docs/missing.md: missing: No such file or directory
::error file=site/index.md,line=10,col=18,title=broken link::http://good.test/status/404: 404 http: HTTP status outside 2xx/3xx
::error file=site/index.md,line=40,col=8,title=broken link::http://good.test/status/500: 500 http: HTTP status outside 2xx/3xx
EOF
    diff -u "$BATS_TEST_TMPDIR/want" "$ERR"
    # properties escape % : , and the message %; to a file with github=FILE
    d="$BATS_TEST_TMPDIR/d"
    mkdir "$d"
    printf 'see http://good.test/status/404?q=%%41\n' >"$d/a,b:c%.txt"
    (cd "$d" && v -q --links "${CT[@]}" --report github=gh.txt 'a,b:c%.txt') >/dev/null || true
    [ "$(cat "$d/gh.txt")" = '::error file=a%2Cb%3Ac%25.txt,line=1,col=5,title=broken link::http://good.test/status/404?q=%2541: 404 http: HTTP status outside 2xx/3xx' ]
    # a list (no --links): at the list's FILE:LINE
    printf '%s\n' "$BASE/ok" "$BASE/status/410" >"$d/list"
    (cd "$d" && v -q --report github list) >/dev/null 2>"$d/err" || true
    [ "$(cat "$d/err")" = "::error file=list,line=2::$BASE/status/410: 410 http: HTTP status outside 2xx/3xx" ]
}

@test "JUnit, TAP and Markdown reports name the places of each broken link" {
    d="$BATS_TEST_TMPDIR"
    lrun -q --report "junit=$d/r.xml" --report "tap=$d/r.tap" --report "markdown=$d/r.md" "${FAST[@]}" site
    [ "$status" -eq 1 ]
    grep -A20 'status/410 (site/page.html:11)' "$d/r.xml" | grep -q '^  - site/sitemap.xml:7:7$'
    grep -A16 '^not ok .* - http://good.test/status/410$' "$d/r.tap" | grep -q '^    - "site/page.html:11:15"$'
    grep -qF '| site/page.html:11:15, site/sitemap.xml:7:7 | http://good.test/status/410 | 410 | http |' "$d/r.md"
    grep -qF '| site/index.md:24:29 | docs/missing.md | ERR | missing |' "$d/r.md"
    # a missing file is a JUnit failure (a broken link), not an error
    command -v xmllint >/dev/null || skip "no xmllint"
    [ "$(xmllint --xpath 'string(//testcase[contains(@name, "docs/missing.md")]/failure/@type)' "$d/r.xml")" = missing ]
}

@test "exit statuses: 1 for broken links, 0 when all pass, 2 for what cannot be read, 3 for a link that cannot be fetched" {
    lrun -q "${FAST[@]}" site
    [ "$status" -eq 1 ]
    lrun -q --expect-status 2xx,3xx,429,410 "${FAST[@]}" site/sitemap.xml
    [ "$status" -eq 0 ]
    lrun -q "${FAST[@]}" site/no-such.md
    [ "$status" -eq 2 ]
    grep -q 'cannot read site/no-such.md' "$ERR"
    lrun -q --base 'not a url' site
    [ "$status" -eq 2 ]
    # only missing local files: 1
    d="$BATS_TEST_TMPDIR/d"
    mkdir "$d"
    printf '[x](gone.md)\n' >"$d/a.md"
    lrun -q "$d/a.md"
    [ "$status" -eq 1 ]
    # a link that cannot be fetched: 3
    printf '[x](http://127.0.0.1:9/)\n[y](http://good.test/status/404)\n' >"$d/b.md"
    lrun -q --retry 0 "$d/b.md"
    [ "$status" -eq 3 ]
    # a URL document that answers 404: skipped with a warning, 2 when nothing failed
    printf '[x](http://good.test/ok)\n' >"$d/c.md"
    lrun -q "$d/c.md" http://good.test/status/404
    [ "$status" -eq 2 ]
    grep -q 'cannot fetch the document http://good.test/status/404: HTTP 404' "$ERR"
    # options of --links need it
    status=0
    v --check-fragments "$d/c.md" 2>"$ERR" || status=$?
    [ "$status" -eq 2 ]
}

@test "a URL as a document: fetched first, read by its type, its relative links resolved against it" {
    html='http://good.test/page?body=%3Ca%20href%3D%22ok%22%3Eok%3C%2Fa%3E%0A%3Cimg%20src%3D%22%2Fstatus%2F404%22%3E'
    lrun -q --json "${FAST[@]}" "$html"
    [ "$status" -eq 1 ]
    jq -s -c -S 'map({(.url): .sources}) | add' "$OUT" >"$BATS_TEST_TMPDIR/have"
    [ "$(cat "$BATS_TEST_TMPDIR/have")" = "{\"http://good.test/ok\":[\"$html:1:10\"],\"http://good.test/status/404\":[\"$html:2:11\"]}" ]
    # the document once, then each link once
    [ "$(log | grep -c '^/page')" -eq 1 ]
    [ "$(log | grep -c '^/ok$')" -eq 1 ]
    # a sitemap by its XML type, with --url
    sm='http://good.test/page?type=application/xml&body=%3Curlset%3E%3Curl%3E%3Cloc%3Ehttp%3A%2F%2Fgood.test%2Fbytes%2F8%3C%2Floc%3E%3C%2Furl%3E%3C%2Furlset%3E'
    lrun -q --json "${FAST[@]}" --url "$sm"
    [ "$status" -eq 0 ]
    jq -e '.url == "http://good.test/bytes/8" and (.sources[0] | endswith(":1:19"))' "$OUT"
}

@test "the folder walk: known extensions, sorted, hidden entries and linked folders skipped; stdin" {
    lrun "${FAST[@]}" --dry-run site
    grep -q '^volley: 5 documents, 45 links: 11 URLs to fetch, 7 local files' "$ERR"
    d="$BATS_TEST_TMPDIR/w"
    mkdir -p "$d/sub" "$d/.hidden" "$d/real"
    printf '[a](http://good.test/bytes/1)\n' >"$d/b.md"
    printf '<a href="http://good.test/bytes/2">x</a>\n' >"$d/A.htm"
    printf 'http://good.test/bytes/3\n' >"$d/sub/notes.txt"   # text: only when named
    printf '[a](http://good.test/bytes/4)\n' >"$d/sub/c.markdown"
    printf '[a](http://good.test/bytes/5)\n' >"$d/.hidden/d.md"
    printf '[a](http://good.test/bytes/6)\n' >"$d/real/e.md"
    ln -s real "$d/zlink"
    printf '<urlset><url><loc>http://good.test/bytes/7</loc></url></urlset>\n' >"$d/sitemap-1.xml"
    lrun -q --json --order input "${FAST[@]}" "$d/"
    jq -s -c 'map(.sources[0])' "$OUT" >"$BATS_TEST_TMPDIR/have"
    [ "$(cat "$BATS_TEST_TMPDIR/have")" = "[\"$d/A.htm:1:10\",\"$d/b.md:1:5\",\"$d/real/e.md:1:5\",\"$d/sitemap-1.xml:1:19\",\"$d/sub/c.markdown:1:5\"]" ]
    # stdin is a document (text unless --links-format says otherwise)
    status=0
    printf '[a](http://good.test/bytes/9) and http://good.test/bytes/10\n' |
        (cd "$SITE_DIR" && v -q --links --json "${CT[@]}" --links-format md) >"$OUT" || status=$?
    [ "$status" -eq 0 ]
    [ "$(jq -s -c 'map(.sources)' "$OUT")" = '[["-:1:5"],["-:1:35"]]' ]
}

@test "the polite defaults: 4 in flight and 10/s per host, 429 retried after Retry-After; all overridable" {
    d="$BATS_TEST_TMPDIR/d"
    mkdir "$d"
    for i in $(seq 1 8); do printf '[a](http://good.test/delay/300?n=%d)\n' "$i"; done >"$d/slow.md"
    printf '[r](http://good.test/retry-after/429/1/polite)\n' >>"$d/slow.md"
    stats_reset
    lrun -q --json "$d/slow.md"
    [ "$status" -eq 0 ]
    [ "$(stats max_inflight)" -le 4 ]
    # starts at least 100 ms apart (the log has when each request came)
    curl -s "$BASE/log" | jq -e '[.[] | .t_ms] | [range(1; length) as $i | .[$i] - .[$i - 1]] | min >= 80'
    jq -s -e 'map(select(.url | test("retry-after"))) | .[0] | .ok and .attempts == 2' "$OUT"
    # only a 429 or a 503 is retried by default: a 500 once
    printf '[r](http://good.test/status/500)\n' >"$d/err.md"
    lrun -q --json "${FAST[@]}" "$d/err.md"
    jq -e '.attempts == 1' "$OUT"
    lrun -q --json --retry 2 --retry-delay 0.01 "${FAST[@]}" "$d/err.md"
    jq -e '.attempts == 3' "$OUT"
    # given, the options win: no cap, no spacing, no retry
    sed -i 's/polite/polite-2/' "$d/slow.md"
    lrun -q --json --per-host 0 --rate-per-host 1000000/s --retry 0 "$d/slow.md"
    [ "$status" -eq 1 ]
    jq -s -e 'map(select(.url | test("retry-after"))) | .[0] | .http_code == 429' "$OUT"
    v --help | grep -q -- '--per-host N .*(default 0; 4 with --links)'
}

@test "--shard and --resume apply to the extracted URLs; --dry-run prints them; local files are never resumed" {
    lrun -q --dry-run site
    [ "$(wc -l <"$OUT")" -eq 11 ]
    [ "$(sed -n 2p "$OUT")" = http://good.test/ok ]
    [ -z "$(log)" ]
    # two shards: every URL and every local file in exactly one, seqs never shared
    lrun -q --json --shard 1/2 --shard-by url "${FAST[@]}" site
    cp "$OUT" "$BATS_TEST_TMPDIR/s1"
    lrun -q --json --shard 2/2 --shard-by url "${FAST[@]}" site
    cat "$BATS_TEST_TMPDIR/s1" "$OUT" >"$BATS_TEST_TMPDIR/both"
    [ "$(jq -s 'map(.url) | unique | length' "$BATS_TEST_TMPDIR/both")" -eq 18 ]
    [ "$(jq -s 'length' "$BATS_TEST_TMPDIR/both")" -eq 18 ]
    [ "$(jq -s 'map(.seq) | unique | length' "$BATS_TEST_TMPDIR/both")" -eq 18 ]
    [ "$(jq -s 'length' "$BATS_TEST_TMPDIR/s1")" -gt 0 ]
    [ "$(jq -s 'length' "$OUT")" -gt 0 ]
    lrun -q --dry-run --shard 2/2 --shard-by url site
    diff <(sort "$OUT") <(jq -r 'select(.scheme != "file") | .url' "$BATS_TEST_TMPDIR/both" | grep -vxFf <(jq -r 'select(.scheme != "file") | .url' "$BATS_TEST_TMPDIR/s1") | sort)
    # resume: a second run fetches nothing the first one finished, and checks the files again
    lrun -q --json "${FAST[@]}" site
    cache="$BATS_TEST_TMPDIR/cache.jsonl"
    cp "$OUT" "$cache"
    curl -s "$BASE/log/reset" >/dev/null
    lrun --json --resume "$cache" "${FAST[@]}" site
    [ -z "$(log)" ]
    [ "$(jq -s 'length' "$OUT")" -eq 7 ]
    jq -s -e 'all(.scheme == "file")' "$OUT"
    grep -q 'skipped 11 already done (--resume)' "$ERR"
    # --resume-failed: only the failed URLs again
    lrun -q --json --resume "$cache" --resume-failed "${FAST[@]}" site
    [ "$(log | sort | tr '\n' ' ')" = "/status/404 /status/410 /status/500 " ]
}

@test "sources round-trip: -w %{sources}, and --summarize reads them back for the reports" {
    lrun -q --json "${FAST[@]}" site/index.md
    cp "$OUT" "$BATS_TEST_TMPDIR/rec.jsonl"
    status=0
    v --summarize -q "$BATS_TEST_TMPDIR/rec.jsonl" >"$OUT" || status=$?
    [ "$status" -eq 1 ]
    grep -q 'http://good.test/status/500 http: HTTP status outside 2xx/3xx; in site/index.md:40:8$' "$OUT"
    lrun -q -w '%{url} %{sources}\n' "${FAST[@]}" site/index.md site/notes.txt
    grep -qx 'http://good.test/status/404 site/index.md:10:18 site/notes.txt:1:59' "$OUT"
}
