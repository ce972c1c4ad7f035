"""Check-in at trainings: the organizer's code and QR, /checkin and the QR link's answers."""

ZH_CN: dict[str, str] = {
    "cmd.checkin": "培训签到（输入签到码）",
    "checkin.announce": (
        "📍 签到码：{code}\n"
        "{title}\n"
        "🕘 {when}　📍 {place}\n"
        "签到时间：{opens} 起，到培训结束为止。\n"
        "请把这张二维码放到屏幕上，大家用手机扫码就能签到；也可以发送 /checkin {code}。"
    ),
    "checkin.ask": (
        "请输入签到码（6 位数字，组织者会在现场公布），或者直接扫描现场的签到二维码。\n"
        "发“取消”可退出。"
    ),
    "checkin.not_a_code": "签到码是 6 位数字，例如 123456。请再输入一次，或发“取消”。",
    "checkin.flow_cancelled": "好的，这次先不签到。",
    "checkin.ok": "✅ 签到成功！\n{title}\n🕘 {when}　📍 {place}",
    "checkin.walk_in": (
        "✅ 签到成功！\n{title}\n🕘 {when}　📍 {place}\n你不在这次的邀请名单上，已记为现场签到。"
    ),
    "checkin.already": "你已经签到过了（{at}），不用再签。\n{title}\n🕘 {when}",
    "checkin.wrong_code": "签到码不对。请核对组织者公布的 6 位签到码，再发送 /checkin 签到码。",
    "checkin.wrong_link": "这个签到链接无效。请扫描现场最新的签到二维码，或发送 /checkin 签到码。",
    "checkin.too_early": "{title}（{when}）还没开始签到，{opens} 起可以签到。",
    "checkin.ended": "{title}（{when}）已经结束，不能再签到了。如有疑问请联系组织者。",
    "checkin.cancelled": "{title}（{when}）已取消，不用签到。",
    "checkin.stranger": (
        "只有已登记的协商指导员才能签到。\n"
        "如果你是指导员，请先打开管理员发给你的邀请链接完成登记，再来签到；"
        "管理员账号如果没有绑定指导员身份，也不能签到。"
    ),
    "checkin.too_many": "签到码输错次数太多了，请 {at} 以后再试。也可以直接扫描现场的签到二维码。",
}

EN: dict[str, str] = {
    "cmd.checkin": "Check in at a training (type the code)",
    "checkin.announce": (
        "📍 Check-in code: {code}\n"
        "{title}\n"
        "🕘 {when}　📍 {place}\n"
        "Check-in is open from {opens} until the training ends.\n"
        "Show this QR code on the screen: people scan it with their phone to check in, or send "
        "/checkin {code}."
    ),
    "checkin.ask": (
        "Type the check-in code (6 digits, announced by the organizer on site), or scan the "
        "check-in QR code there.\nSend “cancel” to stop."
    ),
    "checkin.not_a_code": "The check-in code has 6 digits, e.g. 123456. Type it again, or send “cancel”.",
    "checkin.flow_cancelled": "All right, no check-in this time.",
    "checkin.ok": "✅ You are checked in!\n{title}\n🕘 {when}　📍 {place}",
    "checkin.walk_in": (
        "✅ You are checked in!\n{title}\n🕘 {when}　📍 {place}\n"
        "You were not on the invitation list, so you are recorded as a walk-in."
    ),
    "checkin.already": "You already checked in ({at}); nothing more to do.\n{title}\n🕘 {when}",
    "checkin.wrong_code": "That check-in code is wrong. Check the 6-digit code the organizer shows, then send /checkin and the code.",
    "checkin.wrong_link": "This check-in link is not valid. Scan the current check-in QR code on site, or send /checkin and the code.",
    "checkin.too_early": "Check-in for {title} ({when}) has not opened yet; it opens at {opens}.",
    "checkin.ended": "{title} ({when}) has ended; check-in is closed. Ask the organizer if something is wrong.",
    "checkin.cancelled": "{title} ({when}) was cancelled; no check-in needed.",
    "checkin.stranger": (
        "Only registered collective-bargaining instructors can check in.\n"
        "If you are an instructor, first open the invite link an admin sent you to register, "
        "then check in; an admin account without an instructor record cannot check in either."
    ),
    "checkin.too_many": "Too many wrong check-in codes. Try again after {at}, or scan the check-in QR code on site.",
}
