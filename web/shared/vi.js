// Vietnamese text for every error code the API answers with (the table
// `ErrorCode` in crates/common/src/error.rs, listed in the OpenAPI
// document). Pages choose what to show by `code`, never by the English
// `message`. `{field}` is the field's Vietnamese name (FIELDS, else the
// field as sent); `{min}`, `{max}`, `{expected}` come from `params`.
// A test (crates/server/src/assets.rs) fails when a code is missing.
// BY_FIELD says it better for a field whose rule needs explaining
// ("{field} {code}"); `{x:vnd}` writes a number of đồng, `{x:mb}` bytes in MB.
import {vnd, digits} from './format.js';

export const FIELDS = {
  phone: 'Số điện thoại', password: 'Mật khẩu', name: 'Họ tên', full_name: 'Họ tên',
  national_id: 'Số CCCD', commune_code: 'Xã, phường', address: 'Địa chỉ', activation_code: 'Mã kích hoạt',
  'bank.bin': 'Ngân hàng', 'bank.account_number': 'Số tài khoản', 'bank.account_name': 'Tên chủ tài khoản',
  title: 'Tên sản phẩm', category: 'Loại', unit: 'Đơn vị', price_vnd: 'Giá', quantity: 'Số lượng',
  unit_weight_g: 'Khối lượng 1 đơn vị', description: 'Mô tả', lot_id: 'Lô hàng',
  product_name: 'Tên sản phẩm', harvested_on: 'Ngày thu hoạch', occurred_at: 'Thời điểm', reason: 'Lý do',
  'shipping.name': 'Tên người nhận', 'shipping.phone': 'Số điện thoại người nhận',
  'shipping.address': 'Địa chỉ nhận hàng', 'shipping.commune_code': 'Xã, phường nhận hàng',
  items: 'Sản phẩm trong đơn', tracking_number: 'Số hiệu bưu gửi', part_id: 'Phần hàng',
  amount_vnd: 'Số tiền', reference: 'Mã giao dịch', order_code: 'Mã đơn', post_office: 'Bưu điện',
  farm_name: 'Tên vườn', 'consent.terms_version': 'Phiên bản điều khoản', 'consent.method': 'Cách đồng ý',
  gtin: 'Mã GTIN', lot_code: 'Mã lô', seller_id: 'Người bán', type: 'Loại sự kiện', product: 'Tên phân bón / thuốc',
  dose: 'Liều lượng', pre_harvest_interval_days: 'Thời gian cách ly', quantity_g: 'Khối lượng',
  package: 'Quy cách đóng gói', temperature_c: 'Nhiệt độ', from: 'Nhận từ', to: 'Gửi đến',
  process: 'Công việc chế biến', reference_document: 'Số chứng từ', location: 'Địa điểm', note: 'Ghi chú',
  variety: 'Giống cây', field: 'Thửa ruộng', photo: 'Ảnh', status: 'Trạng thái', failed: 'Người bán chuyển lỗi',
  code: 'Mã bưu kiện', copies: 'Số tem', lots: 'Lô hàng', file: 'Tệp',
  date_from: 'Từ ngày', date_to: 'Đến ngày',
  'Idempotency-Key': 'Mã lần bấm',
  min_price: 'Giá từ', max_price: 'Giá đến', commune: 'Xã, phường', province: 'Tỉnh, thành phố',
};

export const ERRORS = {
  // 400
  malformed_json: 'Dữ liệu gửi lên không đọc được. Hãy tải lại trang rồi thử lại.',
  invalid_query: 'Điều kiện tìm kiếm không hợp lệ.',
  invalid_url: 'Đường dẫn không hợp lệ.',
  malformed_digital_link: 'Mã QR này không phải tem nông sản hợp lệ.',
  invalid_header: 'Yêu cầu không hợp lệ. Hãy tải lại trang rồi thử lại.',
  bad_request: 'Yêu cầu không hợp lệ.',
  // 401
  unauthenticated: 'Phiên đăng nhập đã hết. Hãy đăng nhập lại.',
  wrong_credentials: 'Sai số điện thoại hoặc mật khẩu.',
  bad_activation_code: 'Mã kích hoạt không đúng hoặc đã hết hạn. Hãy xin mã mới ở bưu điện.',
  unauthorized: 'Không có quyền gửi yêu cầu này.',
  // 403
  forbidden: 'Tài khoản này không được làm việc này.',
  // 404
  not_found: 'Không tìm thấy.',
  invalid_photo_key: 'Không tìm thấy ảnh.',
  // 405, 408
  method_not_allowed: 'Thao tác này không được hỗ trợ.',
  request_timeout: 'Mạng chậm quá, dữ liệu chưa gửi hết. Hãy thử lại.',
  // 409
  conflict: 'Dữ liệu vừa thay đổi. Hãy tải lại rồi thử lại.',
  already_taken: '{field} này đã được dùng.',
  insufficient_stock: 'Không đủ hàng: chỉ còn {available}.',
  listing_unavailable: 'Sản phẩm này hiện không bán.',
  invalid_transition: 'Đơn hàng đã ở bước khác, không làm được việc này nữa.',
  not_paid: 'Đơn chưa được thanh toán.',
  lot_recalled: 'Lô hàng này đã bị thu hồi.',
  idempotency_key_reused: 'Yêu cầu này khác lần bấm trước. Hãy tải lại trang rồi làm lại.',
  request_in_progress: 'Lần bấm trước vẫn đang được xử lý. Hãy đợi một chút rồi xem lại.',
  already_activated: 'Bà con đã tự đặt mật khẩu nên không cấp lại mã ở quầy được. Nếu bà con quên mật khẩu, hãy nhờ quản trị viên đặt lại.',
  insufficient_funds: 'Số tiền lớn hơn số còn lại.',
  already_resolved: 'Việc này đã được xử lý rồi.',
  cash_on_delivery_order: 'Đơn này trả tiền khi nhận hàng, không nhận chuyển khoản.',
  not_in_suspense: 'Khoản chuyển này đã được xử lý rồi.',
  nothing_to_pay: 'Không còn gì phải trả.',
  payment_unavailable: 'Hiện chưa nhận thanh toán cho đơn này.',
  nothing_to_remit: 'Bưu điện không còn tiền thu hộ phải nộp.',
  exceeds_remittable: 'Bưu điện chỉ còn {remittable:vnd} tiền thu hộ chưa nộp, không nộp nhiều hơn được.',
  remittance_resolved: 'Lần nộp tiền này đã được xử lý rồi.',
  amount_mismatch: 'Số tiền không khớp.',
  nothing_payable: 'Chưa có người bán nào cần trả tiền.',
  batch_not_created: 'Đợt chi trả này không còn ở bước mới tạo.',
  batch_not_sent: 'Đợt chi trả này chưa gửi ngân hàng.',
  // 412, 413, 415
  precondition_failed: 'Dữ liệu vừa được người khác sửa. Hãy xem lại rồi lưu.',
  payload_too_large: 'Dữ liệu gửi lên quá lớn (tối đa {limit:mb}).',
  photo_too_large: 'Ảnh quá nặng (tối đa {limit:mb}). Hãy chụp lại ở cỡ nhỏ hơn.',
  unsupported_media_type: 'Loại tệp này không dùng được.',
  // 422
  invalid_input: '{field}: chưa đúng, hãy kiểm tra lại.',
  required: 'Hãy nhập {field}.',
  too_short: '{field}: quá ngắn (ít nhất {min} ký tự).',
  too_long: '{field}: quá dài (tối đa {max}).',
  out_of_range: '{field}: phải từ {min} đến {max}.',
  invalid_format: '{field}: viết chưa đúng dạng.',
  unknown_value: '{field}: không có trong danh sách.',
  unknown_reference: '{field}: không tìm thấy.',
  control_characters: '{field}: có ký tự lạ, hãy gõ lại.',
  invisible_characters: '{field}: có ký tự ẩn (đảo chiều chữ, khoảng trắng không độ rộng…), hãy gõ lại.',
  invalid_file: 'Tệp không đọc được. Hãy lưu dạng CSV UTF-8 rồi thử lại.',
  invalid_rows: 'Có dòng chưa đúng trong tệp; xem từng dòng bên dưới.',
  payment_method_unavailable: 'Hiện chưa nhận chuyển khoản. Hãy chọn trả tiền khi nhận hàng.',
  own_listing: 'Đây là hàng của chính bạn, không tự đặt mua được.',
  label_too_long: 'Nội dung quá dài, không in vừa tem.',
  undecodable_photo: 'Ảnh không mở được. Hãy chụp lại.',
  photo_dimensions_too_large: 'Ảnh quá nhiều điểm ảnh.',
  photo_needs_too_much_memory: 'Ảnh quá lớn để xử lý.',
  photo_store_unavailable: 'Kho ảnh đang tạm ngừng, ảnh chưa được lưu. Vui lòng thử lại sau vài phút.',
  database_unavailable: 'Hệ thống đang gián đoạn trong giây lát. Vui lòng thử lại sau vài giây.',
  too_many_photos: 'Đã đủ số ảnh (tối đa {max}).',
  parcel_too_heavy: 'Kiện hàng quá nặng (tối đa 30 kg), hãy chia thành nhiều đơn.',
  no_delivery_zone: 'Bưu điện chưa nhận gửi từ người bán này đến xã, phường của bạn.',
  // 429, 500
  too_many_attempts: 'Thử quá nhiều lần. Hãy đợi một lúc rồi thử lại.',
  too_many_connections: 'Máy này đang mở quá nhiều kết nối. Hãy đợi một lúc rồi thử lại.',
  internal: 'Máy chủ gặp lỗi. Hãy thử lại sau ít phút.',
  // not from the server: the page could not reach it
  network: 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.',
};

/** What a field's rule is, when the code alone would leave the person guessing. */
export const BY_FIELD = {
  'phone invalid_format': 'Số điện thoại Việt Nam gồm 10 số, bắt đầu bằng 0.',
  'phone already_taken': 'Số điện thoại này đã có tài khoản.',
  'password too_short': 'Mật khẩu quá ngắn: cần ít nhất {min} ký tự.',
  'national_id invalid_format': 'Số CCCD gồm đúng 12 chữ số; 3 số đầu là mã tỉnh — xem lại thẻ CCCD.',
  'national_id already_taken': 'Người có số CCCD này đã được đăng ký rồi.',
  'commune_code unknown_value': 'Xã, phường này không có trong danh sách năm 2025.',
  'commune_code invalid_format': 'Mã xã, phường gồm đúng 5 chữ số (danh sách năm 2025).',
  'bank.bin unknown_value': 'Ngân hàng này không có trong danh sách.',
  'bank.account_number invalid_format': 'Số tài khoản gồm 4 đến 19 chữ số, không có dấu cách.',
  'bank.account_name invalid_format': 'Tên chủ tài khoản chỉ gồm chữ cái và dấu cách, tối đa 70 ký tự (như trên thẻ ngân hàng).',
  'consent.method unknown_value': 'Cách đồng ý phải là một trong: paper_form (ký giấy tại quầy), verbal_at_counter (đồng ý bằng lời tại quầy), electronic (đồng ý điện tử).',
  'unit_weight_g required': 'Với đơn vị này, hãy cân 1 đơn vị đã đóng gói (cả bao bì) rồi ghi số gam.',
  'quantity invalid_format': 'Số lượng phải là số lớn hơn 0, tối đa 3 chữ số sau dấu phẩy.',
  'gtin invalid_format': 'Mã GTIN có 8, 12, 13 hoặc 14 chữ số, số cuối là số kiểm tra.',
  'lot_code already_taken': 'Mã lô này đã được dùng.',
  'harvested_on out_of_range': 'Ngày thu hoạch không được sau hôm nay hoặc trước năm 2000.',
  'occurred_at out_of_range': 'Thời điểm không được sau lúc này hoặc trước năm 2000.',
  'tracking_number invalid_format': 'Số hiệu bưu gửi gồm 6 đến 40 chữ cái, chữ số hoặc dấu gạch ngang.',
  'tracking_number already_taken': 'Số hiệu bưu gửi này đã gắn với một bưu kiện khác — hãy kiểm tra lại.',
  'part_id required': 'Hãy chọn đúng bưu kiện mang số hiệu này.',
  'reason required': 'Hãy ghi lý do; người mua sẽ được báo.',
  'photo required': 'Chưa chọn ảnh nào.',
  'order_code invalid_format': 'Mã đơn gồm NS và 8 chữ cái hoặc chữ số.',
  'min_price invalid_input': 'Giá «từ» đang cao hơn giá «đến»: hãy sửa một trong hai.',
};

/** The Vietnamese text of an API error `{code, field?, params?, retryAfter?}`. */
export function errorText(error) {
  const e = error || {};
  const template = BY_FIELD[e.field + ' ' + e.code] || ERRORS[e.code] || ERRORS.internal;
  const params = {...e, ...(e.params || {})};
  const field = e.field ? FIELDS[e.field] || e.field : 'Thông tin';
  const text = template.replace(/\{(\w+)(?::(vnd|mb))?\}/g, (_, name, as) => {
    if (name === 'field') return field;
    const v = params[name];
    if (v == null) return '…';
    if (as === 'vnd') return vnd(v);
    if (as === 'mb') return String(Math.round(v / 104857.6) / 10).replace('.', ',') + ' MB';
    return typeof v === 'number' ? digits(v) : String(v);
  });
  return e.retryAfter ? text + ' (thử lại sau ' + e.retryAfter + ' giây)' : text;
}

/** Said when a change to a listing meets a sale made meanwhile (412 precondition_failed). */
export const SOLD_MEANWHILE = 'Trong lúc bà con sửa, đã có người mua hàng này nên số còn lại đã thay đổi (còn {quantity}). Đã tải lại: xem số mới rồi bấm Lưu lần nữa.';

/** Said when a farmer logs in to an account with no seller record (GET /api/v1/sellers/me → 404). */
export const NOT_A_SELLER = 'Tài khoản này chưa được đăng ký bán hàng. Hãy ra bưu điện xã để được đăng ký.';

/** Said when someone not a farmer logs in to the farmer's app. */
export const NOT_A_FARMER = 'Đây không phải tài khoản nhà nông. Hãy đăng nhập bằng số điện thoại đã đăng ký bán hàng ở bưu điện.';

/** A problem in one row of a sellers file (POST /api/v1/sellers/import → `invalid_rows`), where
 * its `params` say more than `code` and `field`: `same_as_row` (the same phone or CCCD as an
 * earlier row), `excel` (`leading_zero`, `scientific`: a number Excel mangled, `{value}` as
 * written), `column` (a cell beyond the named columns); then by "{field} {code}" (the file's column
 * as the JSON of single onboarding names it) or by code (`required` is an empty cell). Otherwise a
 * row problem is worded like any error (BY_FIELD, ERRORS). A test (crates/market) fails when a
 * kind the server can report is missing. */
export const ROW_PROBLEMS = {
  required: '{field}: ô này đang để trống, hãy điền vào.',
  'national_id invalid_input': 'Số CCCD: 3 số đầu là mã tỉnh nơi đăng ký khai sinh (001 đến 096) — xem lại thẻ CCCD.',
  same_as_row: '{field}: trùng với dòng {same_as_row} trong cùng tệp. Mỗi người chỉ được một dòng — xoá dòng thừa hoặc sửa lại cho đúng.',
  leading_zero: '{field}: «{value}» đã bị Excel bỏ mất số 0 ở đầu. Trong Excel, đặt định dạng cột này là Văn bản (Text), gõ lại số rồi lưu «CSV UTF-8».',
  scientific: '{field}: Excel đã ghi số thành «{value}» nên mất chữ số. Trong Excel, đặt định dạng cột này là Văn bản (Text), gõ lại số rồi lưu «CSV UTF-8».',
  column: 'Ô thứ {column} («{value}») nằm ngoài các cột có tên ở dòng đầu. Nếu trong ô có dấu phẩy, hãy đặt cả ô trong ngoặc kép "…"; nếu không, xoá ô thừa.',
};
