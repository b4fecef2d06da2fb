// What every status, kind and outcome the API names is called in
// Vietnamese. Pages show these, never the code and never their own copy.

/** An order's status (`status` of GET /api/v1/orders/{id}). */
export const ORDER = {
  placed: 'Chờ chuyển khoản', paid: 'Đã thanh toán', cod: 'Thanh toán khi nhận hàng',
  confirmed: 'Người bán đã xác nhận', handed_over: 'Bưu điện đang giao', delivered: 'Đã giao', cancelled: 'Đã huỷ',
  // not a status: a part on its way that a recall is stopping
  returning: 'Đang chặn lại, không giao',
};

/** A part's status: one seller's parcel of an order. */
export const PART = {...ORDER, pending: 'Chờ người bán xác nhận'};

/** What a part's action does, as a verb: "không thể {xác nhận}". */
export const PART_ACTION = {
  confirm: 'xác nhận', hand_over: 'nhận hàng ở bưu điện', deliver: 'giao hàng', cancel: 'huỷ', return: 'nhận lại bưu kiện',
};

export const PAYMENT_METHOD = {cod: 'Trả tiền mặt khi nhận hàng', vietqr: 'Chuyển khoản ngân hàng'};

/** How far a parcel travels: the postage zone. */
export const ZONE = {same_commune: 'Cùng xã', same_province: 'Cùng tỉnh', neighbouring: 'Tỉnh lân cận', far: 'Liên tỉnh xa'};

/** A parcel's tracking steps. */
export const TRACKING_STEP = {handed_over: 'Bưu điện đã nhận', delivered: 'Đã giao', returned: 'Đã hoàn về'};

/**
 * What a recall did to an order part (`recall.outcome`), for the counter:
 * [badge, what to do, why].
 */
export const RECALL_OUTCOME = {
  returning: ['Phải chặn lại', 'Đang ở bưu tá — CHẶN, không giao',
    'Báo bưu tá đang giữ bưu kiện: không giao, mang về bưu điện; người mua trả tiền mặt thì không thu. Bưu kiện về đến quầy thì bấm «Đã nhận lại bưu kiện».'],
  delivered: ['Đã giao', 'Đã giao trước khi thu hồi — GỌI người mua ngay',
    'Dặn người mua không ăn, không dùng hàng này, để riêng chờ bưu điện hướng dẫn.'],
  returned: ['Đã mang về', 'Bưu kiện đã về bưu điện — đơn đã huỷ',
    'Không giao nữa. Người mua đã chuyển khoản thì được trả lại tiền.'],
  cancelled: ['Đã huỷ', 'Chưa gửi đi — đã tự huỷ khi thu hồi',
    'Không cần làm gì: người bán không gửi hàng, người mua được báo trên trang đơn hàng.'],
};

/** A traceability event's type (EPCIS business step). */
export const EVENT = {
  planting: 'Gieo trồng', input_application: 'Bón phân / phun thuốc', harvest: 'Thu hoạch',
  packing: 'Đóng gói', cooling: 'Làm lạnh', shipping: 'Gửi hàng đi', receiving: 'Nhận hàng',
  processing: 'Chế biến', recall: 'Thu hồi',
};

/** The details an event may carry, in the order they are shown. */
export const EVENT_DETAIL = [
  ['product', 'Phân bón / thuốc'], ['dose', 'Liều lượng'], ['pre_harvest_interval_days', 'Cách ly trước thu hoạch'],
  ['variety', 'Giống'], ['field', 'Thửa / khu vườn'], ['quantity_g', 'Khối lượng'], ['package', 'Đóng gói'],
  ['temperature_c', 'Nhiệt độ'], ['from', 'Từ'], ['to', 'Đến'], ['process', 'Chế biến'],
  ['reference_document', 'Số chứng từ'], ['location', 'Địa điểm'], ['reason', 'Lý do'], ['note', 'Ghi chú'],
];

/** What became of a bank transfer the collection account received. */
export const TRANSFER_OUTCOME = {
  unmatched: 'Chưa khớp đơn nào', paid: 'Đã trả đủ', partly_paid: 'Trả thiếu', overpaid: 'Trả thừa',
  owed_back: 'Phải trả lại người mua', assigned: 'Đã gán ở quầy', ignored: 'Bỏ qua', received: 'Đang xử lý',
};

/** A post office's remittance of cash collected on delivery. */
export const REMITTANCE = {pending: 'Đang chuyển — chờ nongsan nhận', received: 'nongsan đã nhận', cancelled: 'Đã huỷ (tiền không đến)'};

/** A payout batch, and one seller's line in it. */
export const PAYOUT_BATCH = {created: 'Mới tạo — chưa gửi ngân hàng', sent: 'Đã gửi ngân hàng — chờ kết quả', confirmed: 'Đã xác nhận'};
export const PAYOUT_ITEM = {pending: 'Chờ ngân hàng', paid: 'Đã chuyển', failed: 'Chuyển lỗi'};

/** A listing's status. */
export const LISTING = {active: 'Đang bán', paused: 'Tạm dừng bán'};

/** A lot's status. */
export const LOT = {active: 'Đang lưu hành', recalled: 'Đã thu hồi'};

/**
 * Why a bank transfer waits for a person (`unmatched_reason`); `{orders}`
 * is the order codes it names (`unmatched_orders`).
 */
export const UNMATCHED_REASON = {
  no_order_code: 'Nội dung chuyển khoản không có mã đơn hàng nào.',
  cash_on_delivery: 'Đơn {orders} trả tiền khi nhận hàng, không nhận chuyển khoản.',
  several_orders: 'Nội dung có nhiều mã đơn: {orders}. Hãy hỏi người chuyển rồi gán đúng đơn.',
};

/** A line of a seller's or a post office's statement (`kind`). */
export const STATEMENT_LINE = {
  goods_delivered: 'Đã giao — tiền hàng', platform_fee: 'Phí sàn', part_cancelled: 'Huỷ phần hàng',
  goods_held: 'Giữ tiền hàng chờ giao', cash_collected: 'Bưu tá thu tiền mặt',
  postage_held: 'Giữ phí vận chuyển chờ giao', postage_earned: 'Đã giao — phí vận chuyển bưu điện được hưởng',
  postage_not_earned: 'Huỷ — không được hưởng phí vận chuyển', postage_paid: 'nongsan đã trả phí vận chuyển',
  refund: 'Trả lại người mua', payout: 'Đưa vào đợt chi trả', payout_paid: 'Đã chuyển vào tài khoản ngân hàng',
  payout_failed: 'Ngân hàng chuyển lỗi — tiền được giữ cho đợt sau', other: 'Khoản khác',
};

/** An action the farmer's app keeps on the phone until the server has it (the outbox). */
export const OUTBOX = {
  waiting: 'Chờ mạng để gửi', sending: 'Đang gửi…', refused: 'Không được nhận — xem lý do', blocked: 'Chờ việc trước được gửi',
};
