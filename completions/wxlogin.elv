
use builtin;
use str;

set edit:completion:arg-completer[wxlogin] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wxlogin'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wxlogin'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand code2session 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)'
            cand verify-signature 'Check rawData + signature against a session_key'
            cand decrypt 'Decrypt encryptedData + iv with a session_key and check the watermark'
            cand mock-server 'Run a faithful local fake of WeChat''s side of the handshake'
            cand demo 'Run the whole handshake against an embedded mock, as a sequence diagram'
            cand simulate 'Play the mini program against your own backend, with the mock as WeChat'
            cand token 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)'
            cand check-session 'Ask WeChat whether a stored session_key is still the user''s current one'
            cand phone 'Exchange a phone-number button code for the phone number'
            cand explain 'Meaning and fix of a WeChat errcode, in English and Chinese'
            cand completions 'Print a shell completion script'
            cand sessions 'The sessions code2session saved: list them (keys masked) or forget them'
            cand man 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wxlogin;code2session'= {
            cand --code 'The code from wx.login (qq.login, wx.qy.login, tt.login; valid 5 minutes, usable once)'
            cand --platform 'Platform: selects the API host, the errcode table and the login call named'
            cand --component-appid 'Third-party platform: exchange through /sns/component/jscode2session as this component appid'
            cand --component-token 'The component_access_token (text, @path or -)'
            cand --component-secret 'The component appsecret, to fetch a component_access_token first (text, @path or -)'
            cand --component-ticket 'The component_verify_ticket WeChat pushed to the platform (text, @path or -)'
            cand --corpid 'The WeCom corp id (ww…); its corpsecret comes like an appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET, profile, prompt)'
            cand --anonymous-code 'Douyin: the anonymousCode of tt.login (or, without a value, --code is one)'
            cand --appid 'The mini program''s appid'
            cand --secret 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)'
            cand --secret-file 'Read the appsecret from a file'
            cand --base-url 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]'
            cand --timeout 'Seconds before a request is given up'
            cand --retries 'Retries on errcode -1 (system busy) and on connections that never reached the server'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --wecom 'WeCom self-built app: gettoken with --corpid and the corpsecret, then miniprogram/jscode2session'
            cand --no-save 'Do not save the session (openid, session_key, ...) to the sessions store'
            cand --secret-stdin 'Read the appsecret from stdin'
            cand --insecure 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'wxlogin;verify-signature'= {
            cand --raw-data 'The rawData string exactly as the client got it (text, @path or -)'
            cand --signature 'The signature from the same wx.getUserInfo result (40 hex digits)'
            cand --session-key 'The session_key from code2session (text, @path or -); with --batch, for lines without one'
            cand --session 'Take the session_key from a session code2session saved (an openid, or `last`)'
            cand --from 'Take rawData and signature from a captured wx.getUserInfo result (JSON; also under "detail")'
            cand --batch 'Process JSON Lines from FILE or - (stdin): one result line per input line'
            cand --output 'With --batch: write results to FILE instead of stdout'
            cand --jobs 'With --batch: worker threads [default: all cores]'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --strict 'Refuse mangled base64 instead of repairing it'
            cand --allow-empty 'With --batch: an input without any record is a success instead of an error (exit 3)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;decrypt'= {
            cand --session-key 'The session_key from code2session (text, @path or -); with --batch, for lines without one'
            cand --session 'Take the session_key (and the appid to expect) from a session code2session saved (an openid, or `last`)'
            cand --iv 'The iv sent with encryptedData (text, @path or -)'
            cand --encrypted-data 'The encryptedData (text, @path or -)'
            cand --from 'Take encryptedData and iv from a captured wx.getUserInfo / getPhoneNumber result'
            cand --appid 'The appid the watermark must carry (a mismatch then fails with exit 1)'
            cand --batch 'Process JSON Lines from FILE or - (stdin): one result line per input line'
            cand --output 'With --batch: write results to FILE instead of stdout'
            cand --jobs 'With --batch: worker threads [default: all cores]'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --raw 'Print the plaintext exactly as decrypted instead of pretty-printed'
            cand --strict 'Refuse mangled base64 instead of repairing it'
            cand --allow-empty 'With --batch: an input without any record is a success instead of an error (exit 3)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;mock-server'= {
            cand --bind 'Address to bind (loopback unless you mean otherwise)'
            cand --port 'Port to listen on (0 picks a free one; the URL is the first line printed)'
            cand --app 'A mini program the mock knows (repeatable); without any, a demo app is made and printed'
            cand --seed 'Seed for reproducible openids, codes and keys'
            cand --state 'Keep users, codes and sessions in FILE across restarts'
            cand --code-ttl 'Seconds a code stays valid'
            cand --max-users 'Users kept, all apps together (the oldest anonymous ones go first)'
            cand --max-codes 'Codes kept (used and expired ones go first; all valid: login refused with 45011)'
            cand --journal-size 'Requests GET /mock/journal keeps (the oldest goes first)'
            cand --component 'A third-party platform authorised for the mock''s apps (or only the listed ones; repeatable)'
            cand --wecom 'A WeCom corp whose self-built app is bound to the mock''s mini program APPID (repeatable)'
            cand --douyin 'A Douyin mini program (repeatable)'
            cand --ca-dir 'Where the mock''s CA lives (made on first use) [default: $XDG_DATA_HOME/wxlogin/ca]'
            cand --env-file 'Write the variables a backend needs (proxy, CA bundle) to FILE, for `set -a; . FILE; set +a`'
            cand --tls-port 'Also serve HTTPS directly on PORT (0 picks a free one), for WeChat''s host mapped to 127.0.0.1'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --intercept 'Also be an HTTP(S) proxy for the WeChat family''s API hosts (TLS with the mock''s own CA); every other host gets 403'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'wxlogin;demo'= {
            cand --seed 'Seed for reproducible values'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --intercept 'Run the embedded mock as an HTTPS proxy for WeChat''s hosts too, and say what a backend needs'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;simulate'= {
            cand --mock 'A running `wxlogin mock-server` your backend is configured to call'
            cand --mock-port 'Port of the embedded mock when --mock is not given (0 picks a free one)'
            cand --app 'An app for the embedded mock (repeatable)'
            cand --backend 'Base URL of the backend, instead of the flow file''s `backend`'
            cand --ca-dir 'Where the mock''s CA lives, with --intercept [default: $XDG_DATA_HOME/wxlogin/ca]'
            cand --env-file 'With --intercept: write the backend''s variables to FILE'
            cand --appid 'The mini program''s appid, instead of the flow file''s `appid`'
            cand --platform 'The platform the flow plays, instead of the flow file''s `platform`: its login call, the code exchange the backend must make, the embedded mock''s corp or Douyin app'
            cand --ready-path 'With `-- CMD`: a path of the backend that answers 2xx once it is ready (default: ready when its port accepts connections)'
            cand --ready-timeout 'With `-- CMD`: how long to wait for the backend to be ready (e.g. 10s, 500ms, 2m)'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --intercept 'Make the embedded mock an HTTPS proxy for WeChat''s hosts, for a backend whose SDK hard-codes them; prints the variables the backend needs'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'wxlogin;token'= {
            cand --appid 'The mini program''s appid'
            cand --secret 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)'
            cand --secret-file 'Read the appsecret from a file'
            cand --base-url 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]'
            cand --timeout 'Seconds before a request is given up'
            cand --retries 'Retries on errcode -1 (system busy) and on connections that never reached the server'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --stable 'Use POST /cgi-bin/stable_token instead of GET /cgi-bin/token'
            cand --force-refresh 'With --stable: force a new token (invalidates the previous one)'
            cand --secret-stdin 'Read the appsecret from stdin'
            cand --insecure 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;check-session'= {
            cand --openid 'The user''s openid'
            cand --session-key 'The session_key your server stored for that user (text, @path or -)'
            cand --session 'Take the openid and session_key from a session code2session saved (an openid, or `last`)'
            cand --access-token 'Use this access token instead of fetching one with the appid and secret'
            cand --appid 'The mini program''s appid'
            cand --secret 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)'
            cand --secret-file 'Read the appsecret from a file'
            cand --base-url 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]'
            cand --timeout 'Seconds before a request is given up'
            cand --retries 'Retries on errcode -1 (system busy) and on connections that never reached the server'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --secret-stdin 'Read the appsecret from stdin'
            cand --insecure 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;phone'= {
            cand --code 'The code from the getPhoneNumber button''s event'
            cand --access-token 'Use this access token instead of fetching one with the appid and secret'
            cand --appid 'The mini program''s appid'
            cand --secret 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)'
            cand --secret-file 'Read the appsecret from a file'
            cand --base-url 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]'
            cand --timeout 'Seconds before a request is given up'
            cand --retries 'Retries on errcode -1 (system busy) and on connections that never reached the server'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --secret-stdin 'Read the appsecret from stdin'
            cand --insecure 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;explain'= {
            cand --platform 'Whose table: Douyin''s err_no and WeCom''s codes differ from WeChat''s'
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'wxlogin;completions'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;sessions'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the stored sessions, newest last (the default)'
            cand forget 'Remove the stored sessions of an openid, or all of them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wxlogin;sessions;list'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;sessions;forget'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --all 'Remove every stored session'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;sessions;help'= {
            cand list 'List the stored sessions, newest last (the default)'
            cand forget 'Remove the stored sessions of an openid, or all of them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wxlogin;sessions;help;list'= {
        }
        &'wxlogin;sessions;help;forget'= {
        }
        &'wxlogin;sessions;help;help'= {
        }
        &'wxlogin;man'= {
            cand --color 'When to colour output'
            cand --lang 'Language of errcode explanations [default: from LANG]'
            cand --profile 'Profile of the config file to take credentials from'
            cand --json 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
            cand -v 'More detail on stderr (secrets stay masked)'
            cand --verbose 'More detail on stderr (secrets stay masked)'
            cand -q 'Only the result: no warnings, notes or progress on stderr'
            cand --quiet 'Only the result: no warnings, notes or progress on stderr'
            cand --reveal 'Show secrets (session_key, access_token) in full instead of masked'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wxlogin;help'= {
            cand code2session 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)'
            cand verify-signature 'Check rawData + signature against a session_key'
            cand decrypt 'Decrypt encryptedData + iv with a session_key and check the watermark'
            cand mock-server 'Run a faithful local fake of WeChat''s side of the handshake'
            cand demo 'Run the whole handshake against an embedded mock, as a sequence diagram'
            cand simulate 'Play the mini program against your own backend, with the mock as WeChat'
            cand token 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)'
            cand check-session 'Ask WeChat whether a stored session_key is still the user''s current one'
            cand phone 'Exchange a phone-number button code for the phone number'
            cand explain 'Meaning and fix of a WeChat errcode, in English and Chinese'
            cand completions 'Print a shell completion script'
            cand sessions 'The sessions code2session saved: list them (keys masked) or forget them'
            cand man 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wxlogin;help;code2session'= {
        }
        &'wxlogin;help;verify-signature'= {
        }
        &'wxlogin;help;decrypt'= {
        }
        &'wxlogin;help;mock-server'= {
        }
        &'wxlogin;help;demo'= {
        }
        &'wxlogin;help;simulate'= {
        }
        &'wxlogin;help;token'= {
        }
        &'wxlogin;help;check-session'= {
        }
        &'wxlogin;help;phone'= {
        }
        &'wxlogin;help;explain'= {
        }
        &'wxlogin;help;completions'= {
        }
        &'wxlogin;help;sessions'= {
            cand list 'List the stored sessions, newest last (the default)'
            cand forget 'Remove the stored sessions of an openid, or all of them'
        }
        &'wxlogin;help;sessions;list'= {
        }
        &'wxlogin;help;sessions;forget'= {
        }
        &'wxlogin;help;man'= {
        }
        &'wxlogin;help;help'= {
        }
    ]
    $completions[$command]
}
