#!/usr/bin/env python3
"""Seeded generator of realistic WeChat login payloads, as JSON Lines for `--batch`.

decrypt lines: {"id", "session_key", "iv", "encryptedData"}, the plaintext a ~300-byte
user-info object (CJK/emoji nicknames, watermark of --appid), AES-128-CBC/PKCS#7 as WeChat does.
verify lines:  {"id", "rawData", "signature", "session_key"}, signature = sha1(rawData + key).

Usage: gen_records.py --kind decrypt|verify --count N [--seed S] [--appid A] [--out FILE]
Needs `cryptography` or `pycryptodome` for AES (bench/run.sh installs them).
"""
import argparse
import base64
import hashlib
import json
import random
import sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "晓东", "子涵"]
LATIN = ["Band", "Zoë", "Lucas", "Mia", "Ölaf", "Chen", "Amy", "Kenji", "Sofía", "Leo"]
EMOJI = ["🙂", "🐼", "✨", "🌸", "🎧", "🍵", "🚀", "🐱", "🌙", "💯", ""]
PLACES = [
    ("Guangzhou", "Guangdong"), ("Shenzhen", "Guangdong"), ("Hangzhou", "Zhejiang"),
    ("Chengdu", "Sichuan"), ("Wuhan", "Hubei"), ("Nanjing", "Jiangsu"), ("Xi'an", "Shaanxi"),
    ("Beijing", "Beijing"), ("Shanghai", "Shanghai"), ("", ""),
]
ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
AVATAR_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def aes_encryptor():
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        def encrypt(key, iv, data):
            enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
            return enc.update(data) + enc.finalize()
    except ImportError:
        from Crypto.Cipher import AES

        def encrypt(key, iv, data):
            return AES.new(key, AES.MODE_CBC, iv).encrypt(data)
    return encrypt


def pkcs7(data):
    pad = 16 - len(data) % 16
    return data + bytes([pad]) * pad


def user(rng, appid):
    nick = rng.choice(SURNAMES) + rng.choice(GIVEN) if rng.random() < 0.7 else rng.choice(LATIN)
    nick += rng.choice(EMOJI)
    city, province = rng.choice(PLACES)
    info = {
        "openId": "o" + "".join(rng.choices(ID_CHARS, k=27)),
        "nickName": nick,
        "gender": rng.choice([0, 1, 2]),
        "language": rng.choice(["zh_CN", "zh_CN", "en", "zh_TW"]),
        "city": city,
        "province": province,
        "country": "China" if city else "",
        "avatarUrl": "https://thirdwx.qlogo.cn/mmopen/vi_32/"
        + "".join(rng.choices(AVATAR_CHARS, k=78))
        + "/132",
    }
    if rng.random() < 0.5:
        info["unionId"] = "o" + "".join(rng.choices(ID_CHARS, k=27))
    info["watermark"] = {"timestamp": 1_700_000_000 + rng.randrange(30_000_000), "appid": appid}
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=["decrypt", "verify"], default="decrypt")
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--appid", default="wx4f4bc4dec97d474b")
    ap.add_argument("--out", default="-")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    encrypt = aes_encryptor() if args.kind == "decrypt" else None
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    b64 = base64.b64encode
    compact = (",", ":")
    for i in range(1, args.count + 1):
        key = rng.randbytes(16)
        session_key = b64(key).decode()
        info = user(rng, args.appid)
        if args.kind == "decrypt":
            iv = rng.randbytes(16)
            plain = json.dumps(info, ensure_ascii=False, separators=compact).encode()
            record = {
                "id": i,
                "session_key": session_key,
                "iv": b64(iv).decode(),
                "encryptedData": b64(encrypt(key, iv, pkcs7(plain))).decode(),
            }
        else:
            raw = {k: info[k] for k in ("nickName", "gender", "language", "city", "province", "country", "avatarUrl")}
            raw_data = json.dumps(raw, ensure_ascii=False, separators=compact)
            record = {
                "id": i,
                "rawData": raw_data,
                "signature": hashlib.sha1((raw_data + session_key).encode()).hexdigest(),
                "session_key": session_key,
            }
        out.write(json.dumps(record, ensure_ascii=False, separators=compact))
        out.write("\n")
    out.close()


if __name__ == "__main__":
    main()
