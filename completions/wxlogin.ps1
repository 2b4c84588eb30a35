
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wxlogin' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wxlogin'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wxlogin' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('code2session', 'code2session', [CompletionResultType]::ParameterValue, 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check rawData + signature against a session_key')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt encryptedData + iv with a session_key and check the watermark')
            [CompletionResult]::new('mock-server', 'mock-server', [CompletionResultType]::ParameterValue, 'Run a faithful local fake of WeChat''s side of the handshake')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole handshake against an embedded mock, as a sequence diagram')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Play the mini program against your own backend, with the mock as WeChat')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)')
            [CompletionResult]::new('check-session', 'check-session', [CompletionResultType]::ParameterValue, 'Ask WeChat whether a stored session_key is still the user''s current one')
            [CompletionResult]::new('phone', 'phone', [CompletionResultType]::ParameterValue, 'Exchange a phone-number button code for the phone number')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Meaning and fix of a WeChat errcode, in English and Chinese')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'The sessions code2session saved: list them (keys masked) or forget them')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wxlogin;code2session' {
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The code from wx.login (qq.login, wx.qy.login, tt.login; valid 5 minutes, usable once)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Platform: selects the API host, the errcode table and the login call named')
            [CompletionResult]::new('--component-appid', '--component-appid', [CompletionResultType]::ParameterName, 'Third-party platform: exchange through /sns/component/jscode2session as this component appid')
            [CompletionResult]::new('--component-token', '--component-token', [CompletionResultType]::ParameterName, 'The component_access_token (text, @path or -)')
            [CompletionResult]::new('--component-secret', '--component-secret', [CompletionResultType]::ParameterName, 'The component appsecret, to fetch a component_access_token first (text, @path or -)')
            [CompletionResult]::new('--component-ticket', '--component-ticket', [CompletionResultType]::ParameterName, 'The component_verify_ticket WeChat pushed to the platform (text, @path or -)')
            [CompletionResult]::new('--corpid', '--corpid', [CompletionResultType]::ParameterName, 'The WeCom corp id (ww…); its corpsecret comes like an appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET, profile, prompt)')
            [CompletionResult]::new('--anonymous-code', '--anonymous-code', [CompletionResultType]::ParameterName, 'Douyin: the anonymousCode of tt.login (or, without a value, --code is one)')
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The mini program''s appid')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the appsecret from a file')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before a request is given up')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries on errcode -1 (system busy) and on connections that never reached the server')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--wecom', '--wecom', [CompletionResultType]::ParameterName, 'WeCom self-built app: gettoken with --corpid and the corpsecret, then miniprogram/jscode2session')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the session (openid, session_key, ...) to the sessions store')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the appsecret from stdin')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'wxlogin;verify-signature' {
            [CompletionResult]::new('--raw-data', '--raw-data', [CompletionResultType]::ParameterName, 'The rawData string exactly as the client got it (text, @path or -)')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The signature from the same wx.getUserInfo result (40 hex digits)')
            [CompletionResult]::new('--session-key', '--session-key', [CompletionResultType]::ParameterName, 'The session_key from code2session (text, @path or -); with --batch, for lines without one')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Take the session_key from a session code2session saved (an openid, or `last`)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Take rawData and signature from a captured wx.getUserInfo result (JSON; also under "detail")')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Process JSON Lines from FILE or - (stdin): one result line per input line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'With --batch: write results to FILE instead of stdout')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With --batch: worker threads [default: all cores]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Refuse mangled base64 instead of repairing it')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'With --batch: an input without any record is a success instead of an error (exit 3)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;decrypt' {
            [CompletionResult]::new('--session-key', '--session-key', [CompletionResultType]::ParameterName, 'The session_key from code2session (text, @path or -); with --batch, for lines without one')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Take the session_key (and the appid to expect) from a session code2session saved (an openid, or `last`)')
            [CompletionResult]::new('--iv', '--iv', [CompletionResultType]::ParameterName, 'The iv sent with encryptedData (text, @path or -)')
            [CompletionResult]::new('--encrypted-data', '--encrypted-data', [CompletionResultType]::ParameterName, 'The encryptedData (text, @path or -)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Take encryptedData and iv from a captured wx.getUserInfo / getPhoneNumber result')
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The appid the watermark must carry (a mismatch then fails with exit 1)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Process JSON Lines from FILE or - (stdin): one result line per input line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'With --batch: write results to FILE instead of stdout')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With --batch: worker threads [default: all cores]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the plaintext exactly as decrypted instead of pretty-printed')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Refuse mangled base64 instead of repairing it')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'With --batch: an input without any record is a success instead of an error (exit 3)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;mock-server' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to bind (loopback unless you mean otherwise)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (0 picks a free one; the URL is the first line printed)')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'A mini program the mock knows (repeatable); without any, a demo app is made and printed')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for reproducible openids, codes and keys')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Keep users, codes and sessions in FILE across restarts')
            [CompletionResult]::new('--code-ttl', '--code-ttl', [CompletionResultType]::ParameterName, 'Seconds a code stays valid')
            [CompletionResult]::new('--max-users', '--max-users', [CompletionResultType]::ParameterName, 'Users kept, all apps together (the oldest anonymous ones go first)')
            [CompletionResult]::new('--max-codes', '--max-codes', [CompletionResultType]::ParameterName, 'Codes kept (used and expired ones go first; all valid: login refused with 45011)')
            [CompletionResult]::new('--journal-size', '--journal-size', [CompletionResultType]::ParameterName, 'Requests GET /mock/journal keeps (the oldest goes first)')
            [CompletionResult]::new('--component', '--component', [CompletionResultType]::ParameterName, 'A third-party platform authorised for the mock''s apps (or only the listed ones; repeatable)')
            [CompletionResult]::new('--wecom', '--wecom', [CompletionResultType]::ParameterName, 'A WeCom corp whose self-built app is bound to the mock''s mini program APPID (repeatable)')
            [CompletionResult]::new('--douyin', '--douyin', [CompletionResultType]::ParameterName, 'A Douyin mini program (repeatable)')
            [CompletionResult]::new('--ca-dir', '--ca-dir', [CompletionResultType]::ParameterName, 'Where the mock''s CA lives (made on first use) [default: $XDG_DATA_HOME/wxlogin/ca]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Write the variables a backend needs (proxy, CA bundle) to FILE, for `set -a; . FILE; set +a`')
            [CompletionResult]::new('--tls-port', '--tls-port', [CompletionResultType]::ParameterName, 'Also serve HTTPS directly on PORT (0 picks a free one), for WeChat''s host mapped to 127.0.0.1')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--intercept', '--intercept', [CompletionResultType]::ParameterName, 'Also be an HTTP(S) proxy for the WeChat family''s API hosts (TLS with the mock''s own CA); every other host gets 403')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'wxlogin;demo' {
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for reproducible values')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--intercept', '--intercept', [CompletionResultType]::ParameterName, 'Run the embedded mock as an HTTPS proxy for WeChat''s hosts too, and say what a backend needs')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;simulate' {
            [CompletionResult]::new('--mock', '--mock', [CompletionResultType]::ParameterName, 'A running `wxlogin mock-server` your backend is configured to call')
            [CompletionResult]::new('--mock-port', '--mock-port', [CompletionResultType]::ParameterName, 'Port of the embedded mock when --mock is not given (0 picks a free one)')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'An app for the embedded mock (repeatable)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Base URL of the backend, instead of the flow file''s `backend`')
            [CompletionResult]::new('--ca-dir', '--ca-dir', [CompletionResultType]::ParameterName, 'Where the mock''s CA lives, with --intercept [default: $XDG_DATA_HOME/wxlogin/ca]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'With --intercept: write the backend''s variables to FILE')
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The mini program''s appid, instead of the flow file''s `appid`')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The platform the flow plays, instead of the flow file''s `platform`: its login call, the code exchange the backend must make, the embedded mock''s corp or Douyin app')
            [CompletionResult]::new('--ready-path', '--ready-path', [CompletionResultType]::ParameterName, 'With `-- CMD`: a path of the backend that answers 2xx once it is ready (default: ready when its port accepts connections)')
            [CompletionResult]::new('--ready-timeout', '--ready-timeout', [CompletionResultType]::ParameterName, 'With `-- CMD`: how long to wait for the backend to be ready (e.g. 10s, 500ms, 2m)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--intercept', '--intercept', [CompletionResultType]::ParameterName, 'Make the embedded mock an HTTPS proxy for WeChat''s hosts, for a backend whose SDK hard-codes them; prints the variables the backend needs')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'wxlogin;token' {
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The mini program''s appid')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the appsecret from a file')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before a request is given up')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries on errcode -1 (system busy) and on connections that never reached the server')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--stable', '--stable', [CompletionResultType]::ParameterName, 'Use POST /cgi-bin/stable_token instead of GET /cgi-bin/token')
            [CompletionResult]::new('--force-refresh', '--force-refresh', [CompletionResultType]::ParameterName, 'With --stable: force a new token (invalidates the previous one)')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the appsecret from stdin')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;check-session' {
            [CompletionResult]::new('--openid', '--openid', [CompletionResultType]::ParameterName, 'The user''s openid')
            [CompletionResult]::new('--session-key', '--session-key', [CompletionResultType]::ParameterName, 'The session_key your server stored for that user (text, @path or -)')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Take the openid and session_key from a session code2session saved (an openid, or `last`)')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'Use this access token instead of fetching one with the appid and secret')
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The mini program''s appid')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the appsecret from a file')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before a request is given up')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries on errcode -1 (system busy) and on connections that never reached the server')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the appsecret from stdin')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;phone' {
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The code from the getPhoneNumber button''s event')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'Use this access token instead of fetching one with the appid and secret')
            [CompletionResult]::new('--appid', '--appid', [CompletionResultType]::ParameterName, 'The mini program''s appid')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the appsecret from a file')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before a request is given up')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries on errcode -1 (system busy) and on connections that never reached the server')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the appsecret from stdin')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;explain' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Whose table: Douyin''s err_no and WeCom''s codes differ from WeChat''s')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'wxlogin;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;sessions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored sessions, newest last (the default)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove the stored sessions of an openid, or all of them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wxlogin;sessions;list' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;sessions;forget' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every stored session')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;sessions;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored sessions, newest last (the default)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove the stored sessions of an openid, or all of them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wxlogin;sessions;help;list' {
            break
        }
        'wxlogin;sessions;help;forget' {
            break
        }
        'wxlogin;sessions;help;help' {
            break
        }
        'wxlogin;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of errcode explanations [default: from LANG]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to take credentials from')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (secrets stay masked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the result: no warnings, notes or progress on stderr')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show secrets (session_key, access_token) in full instead of masked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wxlogin;help' {
            [CompletionResult]::new('code2session', 'code2session', [CompletionResultType]::ParameterValue, 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check rawData + signature against a session_key')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt encryptedData + iv with a session_key and check the watermark')
            [CompletionResult]::new('mock-server', 'mock-server', [CompletionResultType]::ParameterValue, 'Run a faithful local fake of WeChat''s side of the handshake')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole handshake against an embedded mock, as a sequence diagram')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Play the mini program against your own backend, with the mock as WeChat')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)')
            [CompletionResult]::new('check-session', 'check-session', [CompletionResultType]::ParameterValue, 'Ask WeChat whether a stored session_key is still the user''s current one')
            [CompletionResult]::new('phone', 'phone', [CompletionResultType]::ParameterValue, 'Exchange a phone-number button code for the phone number')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Meaning and fix of a WeChat errcode, in English and Chinese')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'The sessions code2session saved: list them (keys masked) or forget them')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wxlogin;help;code2session' {
            break
        }
        'wxlogin;help;verify-signature' {
            break
        }
        'wxlogin;help;decrypt' {
            break
        }
        'wxlogin;help;mock-server' {
            break
        }
        'wxlogin;help;demo' {
            break
        }
        'wxlogin;help;simulate' {
            break
        }
        'wxlogin;help;token' {
            break
        }
        'wxlogin;help;check-session' {
            break
        }
        'wxlogin;help;phone' {
            break
        }
        'wxlogin;help;explain' {
            break
        }
        'wxlogin;help;completions' {
            break
        }
        'wxlogin;help;sessions' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored sessions, newest last (the default)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove the stored sessions of an openid, or all of them')
            break
        }
        'wxlogin;help;sessions;list' {
            break
        }
        'wxlogin;help;sessions;forget' {
            break
        }
        'wxlogin;help;man' {
            break
        }
        'wxlogin;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
