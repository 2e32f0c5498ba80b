"""Why the desk said no: refusals as stable codes with a message in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xiaotu.readers.models import Reader

# Codes are part of the API: change a message freely, never a code.
MESSAGES: dict[str, Promise] = {
    "reader_not_found": _("没有这个借书证：{barcode}"),
    "card_reported_lost": _("借书证 {barcode} 已挂失（{reader}），请使用新证"),
    "item_not_found": _("没有这个条码的书：{barcode}"),
    "reader_suspended": _("{reader} 的借书证已暂停使用"),
    "reader_graduated": _("{reader} 已毕业，不能再借书"),
    "reader_left": _("{reader} 已离校，不能再借书"),
    "reader_graduating": _("{reader} 所在班级已毕业，请先还清图书、办理离校，不能再借书"),
    "reader_has_overdue": _("{reader} 有 {count} 本书已超期，请先归还再借"),
    "reader_limit_reached": _("{reader} 已借 {count} 本，达到上限 {limit} 本"),
    "category_limit_reached": _("{reader} 已借{category} {count} 本，达到上限 {limit} 本"),
    "no_loan_rule": _("{reader_type}不能借{category}（借阅规则中没有设置）"),
    "item_reference_only": _("《{title}》是{category}，仅供馆内阅览，不能外借"),
    "item_on_loan": _("《{title}》已被 {holder} 借出，应还日期 {due_on}"),
    "item_lost": _("《{title}》已登记为丢失"),
    "item_withdrawn": _("《{title}》已注销，不能借出"),
    "item_damaged": _("《{title}》破损待修，不能借出"),
    "item_in_repair": _("《{title}》正在修补，不能借出"),
    "item_not_on_loan": _("《{title}》没有借出，无需归还"),
    "loan_not_open": _("《{title}》的这次借阅已经结束"),
    "renewal_limit_reached": _("《{title}》已续借 {count} 次，不能再续借"),
    "renewal_overdue": _("《{title}》已超期，请先归还，不能续借"),
    "renewal_no_later": _("《{title}》已到本学期最后还书日，不能再续借"),
    "renewal_too_soon": _("《{title}》现在续借不会延后应还日期（{due_on}），请临近到期再续借"),
    "renewal_on_hold": _("《{title}》有读者在排队预约，不能续借，请按时归还"),
    "item_on_hold_shelf": _("《{title}》是为 {holder} 预约保留的书（保留至 {pickup_by}），不能借给别人"),
    "hold_already_on_loan": _("{reader} 已借有《{title}》，不需要预约"),
    "hold_duplicate": _("{reader} 已预约《{title}》，不能重复预约"),
    "hold_limit_reached": _("{reader} 已预约 {count} 种书，达到上限 {limit} 种"),
    "hold_copy_on_shelf": _("《{title}》书架上有可借的书，请直接借阅，不需要预约"),
    "hold_not_holdable": _("《{title}》没有可外借的册，不能预约"),
    "hold_not_active": _("这条预约已经结束（{status}），不能再取消"),
    "hold_not_found": _("没有这条预约：{hold}"),
    "record_not_found": _("没有这个书目：{record}"),
    "reader_owes": _("{reader} 有 {amount} 元赔偿或罚款未处理，超过上限 {limit} 元，请先处理再借书"),
    "compensation_no_price": _("《{title}》没有定价，请填写赔偿金额"),
    "compensation_no_reader": _("《{title}》没有借阅记录，无法确定由谁赔偿"),
    "compensation_settled": _("这笔赔偿已经处理过了（{status}）"),
    "corner_same": _("请选择另一个班级的图书角"),
    "corner_empty": _("{corner} 现在没有借书，无需漂流"),
    "compensation_item_gone": _("《{title}》已登记为{status}，不能再登记损坏"),
}

# A reader who may not borrow may not place a hold either: the same refusal for both.
REFUSAL_BY_READER_STATUS = {
    Reader.Status.SUSPENDED: "reader_suspended",
    Reader.Status.GRADUATED: "reader_graduated",
    Reader.Status.LEFT: "reader_left",
}


class LoanRefused(Exception):
    """A circulation service refused; `code` is stable, `message` is for people, `params` for the desk's buttons."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]).format(**{k: v for k, v in self.params.items()})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class HoldRefused(LoanRefused):
    """预约 refused: the same stable codes and messages, so a caller may catch either."""
