# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wxlogin_global_optspecs
    string join \n json color= v/verbose q/quiet reveal lang= profile= h/help V/version
end

function __fish_wxlogin_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wxlogin_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wxlogin_using_subcommand
    set -l cmd (__fish_wxlogin_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wxlogin -n "__fish_wxlogin_needs_command" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_needs_command" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_needs_command" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_needs_command" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -s V -l version -d 'Print version'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "code2session" -d 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "verify-signature" -d 'Check rawData + signature against a session_key'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "decrypt" -d 'Decrypt encryptedData + iv with a session_key and check the watermark'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "mock-server" -d 'Run a faithful local fake of WeChat\'s side of the handshake'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "demo" -d 'Run the whole handshake against an embedded mock, as a sequence diagram'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "simulate" -d 'Play the mini program against your own backend, with the mock as WeChat'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "token" -d 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "check-session" -d 'Ask WeChat whether a stored session_key is still the user\'s current one'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "phone" -d 'Exchange a phone-number button code for the phone number'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "explain" -d 'Meaning and fix of a WeChat errcode, in English and Chinese'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "sessions" -d 'The sessions code2session saved: list them (keys masked) or forget them'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "man" -d 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)'
complete -c wxlogin -n "__fish_wxlogin_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l code -d 'The code from wx.login (qq.login, wx.qy.login, tt.login; valid 5 minutes, usable once)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l platform -d 'Platform: selects the API host, the errcode table and the login call named' -r -f -a "wechat\t'api.weixin.qq.com, wx.login'
qq\t'api.q.qq.com, qq.login'
wecom\t'qyapi.weixin.qq.com, wx.qy.login'
douyin\t'developer.toutiao.com, tt.login'"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l component-appid -d 'Third-party platform: exchange through /sns/component/jscode2session as this component appid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l component-token -d 'The component_access_token (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l component-secret -d 'The component appsecret, to fetch a component_access_token first (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l component-ticket -d 'The component_verify_ticket WeChat pushed to the platform (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l corpid -d 'The WeCom corp id (ww…); its corpsecret comes like an appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET, profile, prompt)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l anonymous-code -d 'Douyin: the anonymousCode of tt.login (or, without a value, --code is one)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l appid -d 'The mini program\'s appid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l secret -d 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l secret-file -d 'Read the appsecret from a file' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l base-url -d 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l timeout -d 'Seconds before a request is given up' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l retries -d 'Retries on errcode -1 (system busy) and on connections that never reached the server' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l wecom -d 'WeCom self-built app: gettoken with --corpid and the corpsecret, then miniprogram/jscode2session'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l no-save -d 'Do not save the session (openid, session_key, ...) to the sessions store'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l secret-stdin -d 'Read the appsecret from stdin'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l insecure -d 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand code2session" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l raw-data -d 'The rawData string exactly as the client got it (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l signature -d 'The signature from the same wx.getUserInfo result (40 hex digits)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l session-key -d 'The session_key from code2session (text, @path or -); with --batch, for lines without one' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l session -d 'Take the session_key from a session code2session saved (an openid, or `last`)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l from -d 'Take rawData and signature from a captured wx.getUserInfo result (JSON; also under "detail")' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l batch -d 'Process JSON Lines from FILE or - (stdin): one result line per input line' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l output -d 'With --batch: write results to FILE instead of stdout' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l jobs -d 'With --batch: worker threads [default: all cores]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l strict -d 'Refuse mangled base64 instead of repairing it'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l allow-empty -d 'With --batch: an input without any record is a success instead of an error (exit 3)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand verify-signature" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l session-key -d 'The session_key from code2session (text, @path or -); with --batch, for lines without one' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l session -d 'Take the session_key (and the appid to expect) from a session code2session saved (an openid, or `last`)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l iv -d 'The iv sent with encryptedData (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l encrypted-data -d 'The encryptedData (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l from -d 'Take encryptedData and iv from a captured wx.getUserInfo / getPhoneNumber result' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l appid -d 'The appid the watermark must carry (a mismatch then fails with exit 1)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l batch -d 'Process JSON Lines from FILE or - (stdin): one result line per input line' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l output -d 'With --batch: write results to FILE instead of stdout' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l jobs -d 'With --batch: worker threads [default: all cores]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l raw -d 'Print the plaintext exactly as decrypted instead of pretty-printed'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l strict -d 'Refuse mangled base64 instead of repairing it'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l allow-empty -d 'With --batch: an input without any record is a success instead of an error (exit 3)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand decrypt" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l bind -d 'Address to bind (loopback unless you mean otherwise)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l port -d 'Port to listen on (0 picks a free one; the URL is the first line printed)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l app -d 'A mini program the mock knows (repeatable); without any, a demo app is made and printed' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l seed -d 'Seed for reproducible openids, codes and keys' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l state -d 'Keep users, codes and sessions in FILE across restarts' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l code-ttl -d 'Seconds a code stays valid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l max-users -d 'Users kept, all apps together (the oldest anonymous ones go first)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l max-codes -d 'Codes kept (used and expired ones go first; all valid: login refused with 45011)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l journal-size -d 'Requests GET /mock/journal keeps (the oldest goes first)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l component -d 'A third-party platform authorised for the mock\'s apps (or only the listed ones; repeatable)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l wecom -d 'A WeCom corp whose self-built app is bound to the mock\'s mini program APPID (repeatable)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l douyin -d 'A Douyin mini program (repeatable)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l ca-dir -d 'Where the mock\'s CA lives (made on first use) [default: $XDG_DATA_HOME/wxlogin/ca]' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l env-file -d 'Write the variables a backend needs (proxy, CA bundle) to FILE, for `set -a; . FILE; set +a`' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l tls-port -d 'Also serve HTTPS directly on PORT (0 picks a free one), for WeChat\'s host mapped to 127.0.0.1' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l intercept -d 'Also be an HTTP(S) proxy for the WeChat family\'s API hosts (TLS with the mock\'s own CA); every other host gets 403'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand mock-server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l seed -d 'Seed for reproducible values' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l intercept -d 'Run the embedded mock as an HTTPS proxy for WeChat\'s hosts too, and say what a backend needs'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand demo" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l mock -d 'A running `wxlogin mock-server` your backend is configured to call' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l mock-port -d 'Port of the embedded mock when --mock is not given (0 picks a free one)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l app -d 'An app for the embedded mock (repeatable)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l backend -d 'Base URL of the backend, instead of the flow file\'s `backend`' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l ca-dir -d 'Where the mock\'s CA lives, with --intercept [default: $XDG_DATA_HOME/wxlogin/ca]' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l env-file -d 'With --intercept: write the backend\'s variables to FILE' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l appid -d 'The mini program\'s appid, instead of the flow file\'s `appid`' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l platform -d 'The platform the flow plays, instead of the flow file\'s `platform`: its login call, the code exchange the backend must make, the embedded mock\'s corp or Douyin app' -r -f -a "wechat\t'api.weixin.qq.com, wx.login'
qq\t'api.q.qq.com, qq.login'
wecom\t'qyapi.weixin.qq.com, wx.qy.login'
douyin\t'developer.toutiao.com, tt.login'"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l ready-path -d 'With `-- CMD`: a path of the backend that answers 2xx once it is ready (default: ready when its port accepts connections)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l ready-timeout -d 'With `-- CMD`: how long to wait for the backend to be ready (e.g. 10s, 500ms, 2m)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l intercept -d 'Make the embedded mock an HTTPS proxy for WeChat\'s hosts, for a backend whose SDK hard-codes them; prints the variables the backend needs'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l appid -d 'The mini program\'s appid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l secret -d 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l secret-file -d 'Read the appsecret from a file' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l base-url -d 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l timeout -d 'Seconds before a request is given up' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l retries -d 'Retries on errcode -1 (system busy) and on connections that never reached the server' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l stable -d 'Use POST /cgi-bin/stable_token instead of GET /cgi-bin/token'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l force-refresh -d 'With --stable: force a new token (invalidates the previous one)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l secret-stdin -d 'Read the appsecret from stdin'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l insecure -d 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand token" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l openid -d 'The user\'s openid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l session-key -d 'The session_key your server stored for that user (text, @path or -)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l session -d 'Take the openid and session_key from a session code2session saved (an openid, or `last`)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l access-token -d 'Use this access token instead of fetching one with the appid and secret' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l appid -d 'The mini program\'s appid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l secret -d 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l secret-file -d 'Read the appsecret from a file' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l base-url -d 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l timeout -d 'Seconds before a request is given up' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l retries -d 'Retries on errcode -1 (system busy) and on connections that never reached the server' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l secret-stdin -d 'Read the appsecret from stdin'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l insecure -d 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand check-session" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l code -d 'The code from the getPhoneNumber button\'s event' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l access-token -d 'Use this access token instead of fetching one with the appid and secret' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l appid -d 'The mini program\'s appid' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l secret -d 'The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l secret-file -d 'Read the appsecret from a file' -r -F
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l base-url -d 'API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l timeout -d 'Seconds before a request is given up' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l retries -d 'Retries on errcode -1 (system busy) and on connections that never reached the server' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l secret-stdin -d 'Read the appsecret from stdin'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l insecure -d 'Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand phone" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l platform -d 'Whose table: Douyin\'s err_no and WeCom\'s codes differ from WeChat\'s' -r -f -a "wechat\t'api.weixin.qq.com, wx.login'
qq\t'api.q.qq.com, qq.login'
wecom\t'qyapi.weixin.qq.com, wx.qy.login'
douyin\t'developer.toutiao.com, tt.login'"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -f -a "list" -d 'List the stored sessions, newest last (the default)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -f -a "forget" -d 'Remove the stored sessions of an openid, or all of them'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and not __fish_seen_subcommand_from list forget help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l all -d 'Remove every stored session'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the stored sessions, newest last (the default)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Remove the stored sessions of an openid, or all of them'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -l lang -d 'Language of errcode explanations [default: from LANG]' -r -f -a "en\t''
zh\t''"
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -l profile -d 'Profile of the config file to take credentials from' -r
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -l json -d 'Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -s v -l verbose -d 'More detail on stderr (secrets stay masked)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -s q -l quiet -d 'Only the result: no warnings, notes or progress on stderr'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -l reveal -d 'Show secrets (session_key, access_token) in full instead of masked'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand man" -s h -l help -d 'Print help'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "code2session" -d 'Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "verify-signature" -d 'Check rawData + signature against a session_key'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "decrypt" -d 'Decrypt encryptedData + iv with a session_key and check the watermark'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "mock-server" -d 'Run a faithful local fake of WeChat\'s side of the handshake'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "demo" -d 'Run the whole handshake against an embedded mock, as a sequence diagram'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "simulate" -d 'Play the mini program against your own backend, with the mock as WeChat'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "token" -d 'Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "check-session" -d 'Ask WeChat whether a stored session_key is still the user\'s current one'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "phone" -d 'Exchange a phone-number button code for the phone number'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "explain" -d 'Meaning and fix of a WeChat errcode, in English and Chinese'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "sessions" -d 'The sessions code2session saved: list them (keys masked) or forget them'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "man" -d 'Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and not __fish_seen_subcommand_from code2session verify-signature decrypt mock-server demo simulate token check-session phone explain completions sessions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "list" -d 'List the stored sessions, newest last (the default)'
complete -c wxlogin -n "__fish_wxlogin_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "forget" -d 'Remove the stored sessions of an openid, or all of them'
