#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the dialect-level hostile inputs (tests/hostile/csv/*.csv) byte for byte, the way
# Excel, Stripe and old Mac spreadsheets write them. Run from this directory; the bytes are
# committed, so the tests do not need this script.

MOVEMENTS = [
    "customer_id,company,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr",
    "C-001,Müller GmbH,SMB,2026-10,100.00,20.00,0.00,0.00",
    "C-002,Zürich Cloud AG,Enterprise,2026-10,1000.00,0.00,100.00,0.00",
    "C-003,Kite Labs 🚀,SMB,2026-10,200.00,0.00,0.00,200.00",
    "C-004,Orbit Foods,MidMarket,2026-10,500.00,50.00,0.00,0.00",
]
SNAPSHOTS = [
    "customer_id,month,mrr,segment",
    "a,2026-08,100,SMB",
    "a,2026-09,120,SMB",
    "a,2026-10,120,SMB",
    "b,2026-08,50,Enterprise",
    "b,2026-09,50,Enterprise",
    "b,2026-10,0,Enterprise",
    "c,2026-09,80,SMB",
    "c,2026-10,60,SMB",
]
STRIPE_HEADER = ("id,Customer ID,Customer Name,Description,Plan,Quantity,Currency,Interval,Amount,Status,"
                 "Created (UTC),Current Period Start (UTC),Current Period End (UTC),Trial End (UTC),"
                 "Canceled At (UTC),Ended At (UTC)")
STRIPE = [
    STRIPE_HEADER,
    "sub_1,cus_1,Blue Media,Main plan,business-monthly,1,eur,month,900.00,active,2026-01-06 07:38,"
    "2026-10-06 07:38,2026-11-06 07:38,,,",
    "sub_2,cus_2,Nord Logistik,Seats,team-annual,8,eur,year,190.00,active,2026-03-21 15:39,"
    "2026-03-21 15:39,2027-03-21 15:39,,,",
    "sub_3,cus_3,Kite Energy,,business-monthly,1,eur,month,450.00,canceled,2025-06-10 20:52,"
    "2026-09-10 20:52,2026-10-10 20:52,,2026-09-20 10:00,2026-10-10 20:52",
]


def put(name, text, encoding="utf-8"):
    with open(name, "wb") as f:
        f.write(text.encode(encoding) if isinstance(text, str) else text)


def tabs(lines):
    return [line.replace(",", "\t") for line in lines]


# 1. UTF-16: Excel's "Unicode Text" (tab-separated UTF-16LE with a BOM), and without a BOM.
put("utf16le_bom.csv", "\ufeff" + "\r\n".join(tabs(MOVEMENTS)) + "\r\n", "utf-16-le")
put("utf16be_nobom.csv", "\n".join(MOVEMENTS) + "\n", "utf-16-be")
put("utf16le_nobom_snapshots.csv", "\r\n".join(SNAPSHOTS) + "\r\n", "utf-16-le")
put("utf16le_bom_stripe.csv", "\ufeff" + "\r\n".join(tabs(STRIPE)) + "\r\n", "utf-16-le")
bad = ("\ufeff" + "\r\n".join(tabs(MOVEMENTS[:3]))).encode("utf-16-le")
bad += "\r\nC-003\tKite Labs ".encode("utf-16-le") + b"\x3d\xd8" + "\tSMB\t2026-10\t200.00\t0.00\t0.00\t200.00\r\n".encode("utf-16-le")
put("utf16_lone_surrogate.csv", bad)

# A file cut short in the middle of a character: UTF-8 missing a character's last byte, UTF-16
# with an odd final byte, UTF-16 ending between the halves of a surrogate pair.
whole = ("\n".join(MOVEMENTS) + "\n").encode("utf-8")
put("truncated_utf8_character.csv", whole + "C-005,Z".encode("utf-8") + "ü".encode("utf-8")[:1])
wide = ("\ufeff" + "\r\n".join(tabs(MOVEMENTS)) + "\r\n").encode("utf-16-le")
put("truncated_utf16_odd_byte.csv", wide + "C-005".encode("utf-16-le")[:-1])
put("truncated_utf16_surrogate.csv", wide + "C-005\tKite ".encode("utf-16-le") + "🚀".encode("utf-16-le")[:2])
# Cut inside its header line, as `head -c` cuts: a one-line file ending in half of "ü".
put("truncated_utf8_header.csv", "customer_id,period,start_mrr,K".encode("utf-8") + "ü".encode("utf-8")[:1])

# 2. Excel's sep= line.
semi = [line.replace(",", ";").replace(".", ",") for line in MOVEMENTS]
put("sep_semicolon.csv", "sep=;\r\n" + "\r\n".join(semi) + "\r\n")
put("sep_quoted_comma_stripe.csv", '"sep=,"\r\n' + "\r\n".join(STRIPE) + "\r\n")
put("sep_tab_snapshots.csv", "sep=\t\n" + "\n".join(tabs(SNAPSHOTS)) + "\n")

# 3. Rows of only delimiters below the data (Excel keeps formatted empty rows).
put("delimiter_rows.csv", "\r\n".join(MOVEMENTS) + "\r\n" + ",,,,,,,\r\n,,,,,,,\r\n , , ,,,,,\r\n,,,,,,,\r\n")
put("delimiter_rows_semicolon.csv", "\r\n".join(semi[:3]) + "\r\n;;;;;;;\r\n" + "\r\n".join(semi[3:]) + "\r\n;;;;;;;\r\n")

# 4. Quoted fields spanning lines (CS notes, Stripe descriptions).
notes = MOVEMENTS[0] + ",notes\n"
notes += MOVEMENTS[1] + ',"Renewal call on 3 Oct:\nasked for annual billing,\nsee ""pricing"" thread"\n'
notes += MOVEMENTS[2] + ",\n"
notes += MOVEMENTS[3] + ',"Churned.\n\nReason: budget"\n'
notes += MOVEMENTS[4] + ",ok\n"
put("multiline_notes.csv", notes)
put("multiline_notes_crlf.csv", notes.replace("\n", "\r\n"))
stripe = STRIPE[0] + "\r\n" + STRIPE[1].replace("Main plan", '"Main plan\r\nbilled by invoice, net 30"') + "\r\n"
stripe += "\r\n".join(STRIPE[2:]) + "\r\n"
put("multiline_stripe.csv", stripe)
snap = SNAPSHOTS[0] + ",note\n" + "\n".join(line + ("," if i != 4 else ',"moved to\nannual"') for i, line in enumerate(SNAPSHOTS[1:], 1)) + "\n"
put("multiline_snapshots.csv", snap)
# A closing quote missing in the middle: the record runs on, and its error names its lines.
put("multiline_unclosed_quote.csv", MOVEMENTS[0] + ",notes\n" + MOVEMENTS[1] + ',"see thread\n' + MOVEMENTS[2] + ",\n" +
    MOVEMENTS[3] + ',"Reason: budget"\n' + MOVEMENTS[4] + ",ok\n")

# 5. CR-only line ends (Excel 2011 for Mac, "CSV (Macintosh)").
put("cr_only.csv", "\r".join(MOVEMENTS) + "\r", "utf-8")
put("cr_only_snapshots.csv", "\r".join(SNAPSHOTS) + "\r")
put("cr_only_stripe.csv", "\r".join(STRIPE))

# 6. A file cut short inside a quoted field that spans lines.
put("truncated_multiline.csv", notes[: notes.index("Reason")])

# A cell that would start its own line in a GitHub workflow log: "\n::error::pwned".
inj = MOVEMENTS[0] + "\n" + MOVEMENTS[1] + "\n"
inj += 'C-002,Zürich Cloud AG,"Enterprise\n::error::pwned",2026-10,1000.00,0.00,100.00,0.00\n'
inj += MOVEMENTS[3] + "\n" + MOVEMENTS[4] + "\n"
put("newline_injection.csv", inj)
inj_bad = MOVEMENTS[0] + "\n" + MOVEMENTS[1] + "\n" + 'C-002,Zürich Cloud AG,SMB,2026-10,"1000\n::error::pwned",0.00,0.00,0.00\n'
put("newline_injection_amount.csv", inj_bad)
