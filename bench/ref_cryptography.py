#!/usr/bin/env python3
"""Reference: the WXBizDataCrypt sample with the `cryptography` package instead of pycryptodome.

Usage: ref_cryptography.py INPUT.jsonl OUTPUT.jsonl APPID. Writes one result line per record
and the ok/failed counts on stderr.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class WXBizDataCrypt:
    def __init__(self, appId, sessionKey):
        self.appId = appId
        self.sessionKey = sessionKey

    def decrypt(self, encryptedData, iv):
        sessionKey = base64.b64decode(self.sessionKey)
        encryptedData = base64.b64decode(encryptedData)
        iv = base64.b64decode(iv)

        decryptor = Cipher(algorithms.AES(sessionKey), modes.CBC(iv)).decryptor()
        padded = decryptor.update(encryptedData) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()

        decrypted = json.loads(plain)

        if decrypted["watermark"]["appid"] != self.appId:
            raise Exception("Invalid Buffer")

        return decrypted


def main():
    src, dst, appid = sys.argv[1], sys.argv[2], sys.argv[3]
    ok = failed = 0
    with open(src, encoding="utf-8") as inp, open(dst, "w", encoding="utf-8") as out:
        for n, line in enumerate(inp, 1):
            rec = None
            try:
                rec = json.loads(line)
                pc = WXBizDataCrypt(appid, rec["session_key"])
                data = pc.decrypt(rec["encryptedData"], rec["iv"])
                result = {"line": n, "id": rec.get("id"), "ok": True, "data": data}
                ok += 1
            except Exception as e:
                result = {"line": n, "id": rec.get("id") if isinstance(rec, dict) else None, "ok": False, "error": str(e)}
                failed += 1
            out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"ok {ok} failed {failed}", file=sys.stderr)


if __name__ == "__main__":
    main()
