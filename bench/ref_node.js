#!/usr/bin/env node
// Reference: WeChat's WXBizDataCrypt.js sample (Node's crypto), looped over JSON Lines.
// Usage: node ref_node.js INPUT.jsonl OUTPUT.jsonl APPID; ok/failed counts on stderr.
'use strict'
const crypto = require('crypto')
const fs = require('fs')
const readline = require('readline')

function WXBizDataCrypt(appId, sessionKey) {
  this.appId = appId
  this.sessionKey = sessionKey
}

WXBizDataCrypt.prototype.decryptData = function (encryptedData, iv) {
  // base64 decode (Buffer.from where the sample still says `new Buffer`)
  var sessionKey = Buffer.from(this.sessionKey, 'base64')
  encryptedData = Buffer.from(encryptedData, 'base64')
  iv = Buffer.from(iv, 'base64')
  var decoded
  try {
    var decipher = crypto.createDecipheriv('aes-128-cbc', sessionKey, iv)
    decipher.setAutoPadding(true)
    decoded = decipher.update(encryptedData, 'binary', 'utf8')
    decoded += decipher.final('utf8')
    decoded = JSON.parse(decoded)
  } catch (err) {
    throw new Error('Illegal Buffer')
  }
  if (decoded.watermark.appid !== this.appId) {
    throw new Error('Illegal Buffer')
  }
  return decoded
}

async function main() {
  const [src, dst, appid] = process.argv.slice(2)
  const out = fs.createWriteStream(dst)
  const rl = readline.createInterface({ input: fs.createReadStream(src), crlfDelay: Infinity })
  let n = 0, ok = 0, failed = 0
  for await (const line of rl) {
    n++
    let rec = null, result
    try {
      rec = JSON.parse(line)
      const pc = new WXBizDataCrypt(appid, rec.session_key)
      const data = pc.decryptData(rec.encryptedData, rec.iv)
      result = { line: n, id: rec.id, ok: true, data }
      ok++
    } catch (e) {
      result = { line: n, id: rec && rec.id, ok: false, error: e.message }
      failed++
    }
    if (!out.write(JSON.stringify(result) + '\n')) await new Promise(r => out.once('drain', r))
  }
  await new Promise(r => out.end(r))
  process.stderr.write(`ok ${ok} failed ${failed}\n`)
}

main()
