#compdef wxlogin

autoload -U is-at-least

_wxlogin() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_wxlogin_commands" \
"*::: :->wxlogin" \
&& ret=0
    case $state in
    (wxlogin)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:wxlogin-command-$line[1]:"
        case $line[1] in
            (code2session)
_arguments "${_arguments_options[@]}" : \
'--code=[The code from wx.login (qq.login, wx.qy.login, tt.login; valid 5 minutes, usable once)]:CODE:_default' \
'--platform=[Platform\: selects the API host, the errcode table and the login call named]:PLATFORM:((wechat\:"api.weixin.qq.com, wx.login"
qq\:"api.q.qq.com, qq.login"
wecom\:"qyapi.weixin.qq.com, wx.qy.login"
douyin\:"developer.toutiao.com, tt.login"))' \
'(--wecom --anonymous-code)--component-appid=[Third-party platform\: exchange through /sns/component/jscode2session as this component appid]:ID:_default' \
'(--component-secret --component-ticket)--component-token=[The component_access_token (text, @path or -)]:TOKEN:_default' \
'--component-secret=[The component appsecret, to fetch a component_access_token first (text, @path or -)]:SECRET:_default' \
'--component-ticket=[The component_verify_ticket WeChat pushed to the platform (text, @path or -)]:TICKET:_default' \
'--corpid=[The WeCom corp id (ww…); its corpsecret comes like an appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET, profile, prompt)]:ID:_default' \
'--anonymous-code=[Douyin\: the anonymousCode of tt.login (or, without a value, --code is one)]::CODE:_default' \
'--appid=[The mini program'\''s appid]:APPID:_default' \
'(--secret-stdin --secret-file)--secret=[The appsecret (works, but lands in shell history\: prefer --secret-stdin or --secret-file)]:SECRET:_default' \
'--secret-file=[Read the appsecret from a file]:PATH:_files' \
'--base-url=[API base URL\: WeChat, the mock server or any stand-in \[default\: https\://api.weixin.qq.com\]]:URL:_default' \
'--timeout=[Seconds before a request is given up]:SECS:_default' \
'--retries=[Retries on errcode -1 (system busy) and on connections that never reached the server]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'(--anonymous-code)--wecom[WeCom self-built app\: gettoken with --corpid and the corpsecret, then miniprogram/jscode2session]' \
'--no-save[Do not save the session (openid, session_key, ...) to the sessions store]' \
'(--secret-file)--secret-stdin[Read the appsecret from stdin]' \
'--insecure[Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(verify-signature)
_arguments "${_arguments_options[@]}" : \
'--raw-data=[The rawData string exactly as the client got it (text, @path or -)]:STR|@FILE|-:_default' \
'--signature=[The signature from the same wx.getUserInfo result (40 hex digits)]:HEX:_default' \
'(--session)--session-key=[The session_key from code2session (text, @path or -); with --batch, for lines without one]:KEY:_default' \
'--session=[Take the session_key from a session code2session saved (an openid, or \`last\`)]:OPENID|last:_default' \
'(--raw-data --signature --batch)--from=[Take rawData and signature from a captured wx.getUserInfo result (JSON; also under "detail")]:FILE:_default' \
'--batch=[Process JSON Lines from FILE or - (stdin)\: one result line per input line]:FILE|-:_default' \
'--output=[With --batch\: write results to FILE instead of stdout]:FILE:_files' \
'--jobs=[With --batch\: worker threads \[default\: all cores\]]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--strict[Refuse mangled base64 instead of repairing it]' \
'--allow-empty[With --batch\: an input without any record is a success instead of an error (exit 3)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(decrypt)
_arguments "${_arguments_options[@]}" : \
'(--session)--session-key=[The session_key from code2session (text, @path or -); with --batch, for lines without one]:KEY:_default' \
'--session=[Take the session_key (and the appid to expect) from a session code2session saved (an openid, or \`last\`)]:OPENID|last:_default' \
'--iv=[The iv sent with encryptedData (text, @path or -)]:IV:_default' \
'--encrypted-data=[The encryptedData (text, @path or -)]:DATA:_default' \
'(--iv --encrypted-data --batch)--from=[Take encryptedData and iv from a captured wx.getUserInfo / getPhoneNumber result]:FILE:_default' \
'--appid=[The appid the watermark must carry (a mismatch then fails with exit 1)]:APPID:_default' \
'--batch=[Process JSON Lines from FILE or - (stdin)\: one result line per input line]:FILE|-:_default' \
'--output=[With --batch\: write results to FILE instead of stdout]:FILE:_files' \
'--jobs=[With --batch\: worker threads \[default\: all cores\]]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--raw[Print the plaintext exactly as decrypted instead of pretty-printed]' \
'--strict[Refuse mangled base64 instead of repairing it]' \
'--allow-empty[With --batch\: an input without any record is a success instead of an error (exit 3)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(mock-server)
_arguments "${_arguments_options[@]}" : \
'--bind=[Address to bind (loopback unless you mean otherwise)]:ADDR:_default' \
'--port=[Port to listen on (0 picks a free one; the URL is the first line printed)]:PORT:_default' \
'*--app=[A mini program the mock knows (repeatable); without any, a demo app is made and printed]:APPID:SECRET:_default' \
'--seed=[Seed for reproducible openids, codes and keys]:N:_default' \
'--state=[Keep users, codes and sessions in FILE across restarts]:FILE:_files' \
'--code-ttl=[Seconds a code stays valid]:SECS:_default' \
'--max-users=[Users kept, all apps together (the oldest anonymous ones go first)]:N:_default' \
'--max-codes=[Codes kept (used and expired ones go first; all valid\: login refused with 45011)]:N:_default' \
'--journal-size=[Requests GET /mock/journal keeps (the oldest goes first)]:N:_default' \
'*--component=[A third-party platform authorised for the mock'\''s apps (or only the listed ones; repeatable)]:APPID:SECRET[:APPID,…]:_default' \
'*--wecom=[A WeCom corp whose self-built app is bound to the mock'\''s mini program APPID (repeatable)]:CORPID:CORPSECRET:APPID:_default' \
'*--douyin=[A Douyin mini program (repeatable)]:APPID:SECRET:_default' \
'--ca-dir=[Where the mock'\''s CA lives (made on first use) \[default\: \$XDG_DATA_HOME/wxlogin/ca\]]:DIR:_files' \
'--env-file=[Write the variables a backend needs (proxy, CA bundle) to FILE, for \`set -a; . FILE; set +a\`]:FILE:_files' \
'--tls-port=[Also serve HTTPS directly on PORT (0 picks a free one), for WeChat'\''s host mapped to 127.0.0.1]:PORT:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--intercept[Also be an HTTP(S) proxy for the WeChat family'\''s API hosts (TLS with the mock'\''s own CA); every other host gets 403]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
'--seed=[Seed for reproducible values]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--intercept[Run the embedded mock as an HTTPS proxy for WeChat'\''s hosts too, and say what a backend needs]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
'(--mock-port)--mock=[A running \`wxlogin mock-server\` your backend is configured to call]:URL:_default' \
'--mock-port=[Port of the embedded mock when --mock is not given (0 picks a free one)]:PORT:_default' \
'*--app=[An app for the embedded mock (repeatable)]:APPID:SECRET:_default' \
'--backend=[Base URL of the backend, instead of the flow file'\''s \`backend\`]:URL:_default' \
'--ca-dir=[Where the mock'\''s CA lives, with --intercept \[default\: \$XDG_DATA_HOME/wxlogin/ca\]]:DIR:_files' \
'--env-file=[With --intercept\: write the backend'\''s variables to FILE]:FILE:_files' \
'--appid=[The mini program'\''s appid, instead of the flow file'\''s \`appid\`]:APPID:_default' \
'--platform=[The platform the flow plays, instead of the flow file'\''s \`platform\`\: its login call, the code exchange the backend must make, the embedded mock'\''s corp or Douyin app]:PLATFORM:((wechat\:"api.weixin.qq.com, wx.login"
qq\:"api.q.qq.com, qq.login"
wecom\:"qyapi.weixin.qq.com, wx.qy.login"
douyin\:"developer.toutiao.com, tt.login"))' \
'--ready-path=[With \`-- CMD\`\: a path of the backend that answers 2xx once it is ready (default\: ready when its port accepts connections)]:PATH:_default' \
'--ready-timeout=[With \`-- CMD\`\: how long to wait for the backend to be ready (e.g. 10s, 500ms, 2m)]:DURATION:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'(--mock)--intercept[Make the embedded mock an HTTPS proxy for WeChat'\''s hosts, for a backend whose SDK hard-codes them; prints the variables the backend needs]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':flow -- The flow file (TOML) describing the mini program'\''s steps:_files' \
'*::command -- The backend'\''s command\: simulate starts it with WXLOGIN_MOCK_URL, WXLOGIN_APPID, WXLOGIN_SECRET, WXLOGIN_PLATFORM, PORT (WeCom\: WXLOGIN_CORPID, WXLOGIN_CORPSECRET) and the --intercept variables set, and stops it at the end:_default' \
&& ret=0
;;
(token)
_arguments "${_arguments_options[@]}" : \
'--appid=[The mini program'\''s appid]:APPID:_default' \
'(--secret-stdin --secret-file)--secret=[The appsecret (works, but lands in shell history\: prefer --secret-stdin or --secret-file)]:SECRET:_default' \
'--secret-file=[Read the appsecret from a file]:PATH:_files' \
'--base-url=[API base URL\: WeChat, the mock server or any stand-in \[default\: https\://api.weixin.qq.com\]]:URL:_default' \
'--timeout=[Seconds before a request is given up]:SECS:_default' \
'--retries=[Retries on errcode -1 (system busy) and on connections that never reached the server]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--stable[Use POST /cgi-bin/stable_token instead of GET /cgi-bin/token]' \
'--force-refresh[With --stable\: force a new token (invalidates the previous one)]' \
'(--secret-file)--secret-stdin[Read the appsecret from stdin]' \
'--insecure[Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(check-session)
_arguments "${_arguments_options[@]}" : \
'--openid=[The user'\''s openid]:OPENID:_default' \
'(--session)--session-key=[The session_key your server stored for that user (text, @path or -)]:KEY:_default' \
'--session=[Take the openid and session_key from a session code2session saved (an openid, or \`last\`)]:OPENID|last:_default' \
'--access-token=[Use this access token instead of fetching one with the appid and secret]:TOKEN:_default' \
'--appid=[The mini program'\''s appid]:APPID:_default' \
'(--secret-stdin --secret-file)--secret=[The appsecret (works, but lands in shell history\: prefer --secret-stdin or --secret-file)]:SECRET:_default' \
'--secret-file=[Read the appsecret from a file]:PATH:_files' \
'--base-url=[API base URL\: WeChat, the mock server or any stand-in \[default\: https\://api.weixin.qq.com\]]:URL:_default' \
'--timeout=[Seconds before a request is given up]:SECS:_default' \
'--retries=[Retries on errcode -1 (system busy) and on connections that never reached the server]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'(--secret-file)--secret-stdin[Read the appsecret from stdin]' \
'--insecure[Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(phone)
_arguments "${_arguments_options[@]}" : \
'--code=[The code from the getPhoneNumber button'\''s event]:CODE:_default' \
'--access-token=[Use this access token instead of fetching one with the appid and secret]:TOKEN:_default' \
'--appid=[The mini program'\''s appid]:APPID:_default' \
'(--secret-stdin --secret-file)--secret=[The appsecret (works, but lands in shell history\: prefer --secret-stdin or --secret-file)]:SECRET:_default' \
'--secret-file=[Read the appsecret from a file]:PATH:_files' \
'--base-url=[API base URL\: WeChat, the mock server or any stand-in \[default\: https\://api.weixin.qq.com\]]:URL:_default' \
'--timeout=[Seconds before a request is given up]:SECS:_default' \
'--retries=[Retries on errcode -1 (system busy) and on connections that never reached the server]:N:_default' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'(--secret-file)--secret-stdin[Read the appsecret from stdin]' \
'--insecure[Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
'--platform=[Whose table\: Douyin'\''s err_no and WeCom'\''s codes differ from WeChat'\''s]:PLATFORM:((wechat\:"api.weixin.qq.com, wx.login"
qq\:"api.q.qq.com, qq.login"
wecom\:"qyapi.weixin.qq.com, wx.qy.login"
douyin\:"developer.toutiao.com, tt.login"))' \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':errcode -- The errcode (e.g. 40029, -1, -41003):_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(sessions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_wxlogin__subcmd__sessions_commands" \
"*::: :->sessions" \
&& ret=0

    case $state in
    (sessions)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:wxlogin-sessions-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(forget)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--all[Remove every stored session]' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
'::openid -- The openid whose sessions to remove:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_wxlogin__subcmd__sessions__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:wxlogin-sessions-help-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(forget)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output]:WHEN:(auto always never)' \
'--lang=[Language of errcode explanations \[default\: from LANG\]]:LANG:(en zh)' \
'--profile=[Profile of the config file to take credentials from]:NAME:_default' \
'--json[Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)]' \
'*-v[More detail on stderr (secrets stay masked)]' \
'*--verbose[More detail on stderr (secrets stay masked)]' \
'-q[Only the result\: no warnings, notes or progress on stderr]' \
'--quiet[Only the result\: no warnings, notes or progress on stderr]' \
'--reveal[Show secrets (session_key, access_token) in full instead of masked]' \
'-h[Print help]' \
'--help[Print help]' \
'::subcommand -- The subcommand whose page to print (e.g. decrypt for wxlogin-decrypt.1) \[default\: wxlogin.1\]:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_wxlogin__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:wxlogin-help-command-$line[1]:"
        case $line[1] in
            (code2session)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify-signature)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(decrypt)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(mock-server)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(token)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(check-session)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(phone)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(sessions)
_arguments "${_arguments_options[@]}" : \
":: :_wxlogin__subcmd__help__subcmd__sessions_commands" \
"*::: :->sessions" \
&& ret=0

    case $state in
    (sessions)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:wxlogin-help-sessions-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(forget)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_wxlogin_commands] )) ||
_wxlogin_commands() {
    local commands; commands=(
'code2session:Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)' \
'verify-signature:Check rawData + signature against a session_key' \
'decrypt:Decrypt encryptedData + iv with a session_key and check the watermark' \
'mock-server:Run a faithful local fake of WeChat'\''s side of the handshake' \
'demo:Run the whole handshake against an embedded mock, as a sequence diagram' \
'simulate:Play the mini program against your own backend, with the mock as WeChat' \
'token:Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)' \
'check-session:Ask WeChat whether a stored session_key is still the user'\''s current one' \
'phone:Exchange a phone-number button code for the phone number' \
'explain:Meaning and fix of a WeChat errcode, in English and Chinese' \
'completions:Print a shell completion script' \
'sessions:The sessions code2session saved\: list them (keys masked) or forget them' \
'man:Print the man page (roff); \`man/\` holds them all (\`man -l man/wxlogin.1\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'wxlogin commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__check-session_commands] )) ||
_wxlogin__subcmd__check-session_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin check-session commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__code2session_commands] )) ||
_wxlogin__subcmd__code2session_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin code2session commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__completions_commands] )) ||
_wxlogin__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin completions commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__decrypt_commands] )) ||
_wxlogin__subcmd__decrypt_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin decrypt commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__demo_commands] )) ||
_wxlogin__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin demo commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__explain_commands] )) ||
_wxlogin__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin explain commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help_commands] )) ||
_wxlogin__subcmd__help_commands() {
    local commands; commands=(
'code2session:Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)' \
'verify-signature:Check rawData + signature against a session_key' \
'decrypt:Decrypt encryptedData + iv with a session_key and check the watermark' \
'mock-server:Run a faithful local fake of WeChat'\''s side of the handshake' \
'demo:Run the whole handshake against an embedded mock, as a sequence diagram' \
'simulate:Play the mini program against your own backend, with the mock as WeChat' \
'token:Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)' \
'check-session:Ask WeChat whether a stored session_key is still the user'\''s current one' \
'phone:Exchange a phone-number button code for the phone number' \
'explain:Meaning and fix of a WeChat errcode, in English and Chinese' \
'completions:Print a shell completion script' \
'sessions:The sessions code2session saved\: list them (keys masked) or forget them' \
'man:Print the man page (roff); \`man/\` holds them all (\`man -l man/wxlogin.1\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'wxlogin help commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__check-session_commands] )) ||
_wxlogin__subcmd__help__subcmd__check-session_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help check-session commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__code2session_commands] )) ||
_wxlogin__subcmd__help__subcmd__code2session_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help code2session commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__completions_commands] )) ||
_wxlogin__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help completions commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__decrypt_commands] )) ||
_wxlogin__subcmd__help__subcmd__decrypt_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help decrypt commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__demo_commands] )) ||
_wxlogin__subcmd__help__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help demo commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__explain_commands] )) ||
_wxlogin__subcmd__help__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help explain commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__help_commands] )) ||
_wxlogin__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help help commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__man_commands] )) ||
_wxlogin__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help man commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__mock-server_commands] )) ||
_wxlogin__subcmd__help__subcmd__mock-server_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help mock-server commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__phone_commands] )) ||
_wxlogin__subcmd__help__subcmd__phone_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help phone commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__sessions_commands] )) ||
_wxlogin__subcmd__help__subcmd__sessions_commands() {
    local commands; commands=(
'list:List the stored sessions, newest last (the default)' \
'forget:Remove the stored sessions of an openid, or all of them' \
    )
    _describe -t commands 'wxlogin help sessions commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__sessions__subcmd__forget_commands] )) ||
_wxlogin__subcmd__help__subcmd__sessions__subcmd__forget_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help sessions forget commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__sessions__subcmd__list_commands] )) ||
_wxlogin__subcmd__help__subcmd__sessions__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help sessions list commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__simulate_commands] )) ||
_wxlogin__subcmd__help__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help simulate commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__token_commands] )) ||
_wxlogin__subcmd__help__subcmd__token_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help token commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__help__subcmd__verify-signature_commands] )) ||
_wxlogin__subcmd__help__subcmd__verify-signature_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin help verify-signature commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__man_commands] )) ||
_wxlogin__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin man commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__mock-server_commands] )) ||
_wxlogin__subcmd__mock-server_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin mock-server commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__phone_commands] )) ||
_wxlogin__subcmd__phone_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin phone commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions_commands] )) ||
_wxlogin__subcmd__sessions_commands() {
    local commands; commands=(
'list:List the stored sessions, newest last (the default)' \
'forget:Remove the stored sessions of an openid, or all of them' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'wxlogin sessions commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__forget_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__forget_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin sessions forget commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__help_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__help_commands() {
    local commands; commands=(
'list:List the stored sessions, newest last (the default)' \
'forget:Remove the stored sessions of an openid, or all of them' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'wxlogin sessions help commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__help__subcmd__forget_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__help__subcmd__forget_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin sessions help forget commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__help__subcmd__help_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin sessions help help commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__help__subcmd__list_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin sessions help list commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__sessions__subcmd__list_commands] )) ||
_wxlogin__subcmd__sessions__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin sessions list commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__simulate_commands] )) ||
_wxlogin__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin simulate commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__token_commands] )) ||
_wxlogin__subcmd__token_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin token commands' commands "$@"
}
(( $+functions[_wxlogin__subcmd__verify-signature_commands] )) ||
_wxlogin__subcmd__verify-signature_commands() {
    local commands; commands=()
    _describe -t commands 'wxlogin verify-signature commands' commands "$@"
}

if [ "$funcstack[1]" = "_wxlogin" ]; then
    _wxlogin "$@"
else
    compdef _wxlogin wxlogin
fi
