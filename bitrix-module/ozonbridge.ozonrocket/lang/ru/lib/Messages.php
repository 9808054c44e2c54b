<?php

declare(strict_types=1);

$MESS['OZONROCKET_HANDLER_TITLE'] = 'Ozon Rocket';
$MESS['OZONROCKET_HANDLER_DESCRIPTION'] = 'Доставка Ozon Rocket через мост: курьер, пункты выдачи, Next Day. Расчёт, заказы и статусы — в мосте.';
$MESS['OZONROCKET_PROFILE_TITLE'] = 'Ozon Rocket: профиль';
$MESS['OZONROCKET_PROFILE_COURIER'] = 'Курьером';
$MESS['OZONROCKET_PROFILE_PICKUP_POINT'] = 'В пункт выдачи';
$MESS['OZONROCKET_PROFILE_NEXT_DAY'] = 'На следующий день (Next Day)';
$MESS['OZONROCKET_PROFILE_SETTINGS'] = 'Профиль';
$MESS['OZONROCKET_PROFILE_TYPE'] = 'Тип доставки';
$MESS['OZONROCKET_PROFILE_WITHOUT_PARENT'] = 'Профиль Ozon Rocket без родительской службы: настройте службу доставки Ozon Rocket.';
$MESS['OZONROCKET_CALCULATED_BY_PROFILES'] = 'Стоимость считают профили службы (курьер, пункт выдачи, Next Day).';

$MESS['OZONROCKET_CONFIG_MAIN'] = 'Мост и Ozon Rocket';
$MESS['OZONROCKET_CONFIG_MAIN_DESCRIPTION'] = 'Адрес моста и ключ магазина выдаёт оператор моста. Данные Ozon Rocket — из личного кабинета Ozon Rocket. При сохранении настройки передаются в мост.';
$MESS['OZONROCKET_CONFIG_BRIDGE_URL'] = 'Адрес моста (https://...)';
$MESS['OZONROCKET_CONFIG_SHOP_ID'] = 'ID магазина в мосте';
$MESS['OZONROCKET_CONFIG_SHOP_TOKEN'] = 'Токен магазина';
$MESS['OZONROCKET_CONFIG_TIMEOUT'] = 'Время ожидания расчёта, секунд';
$MESS['OZONROCKET_CONFIG_OZON_API_KEY'] = 'API-ключ Ozon Rocket (OZON_API_KEY)';
$MESS['OZONROCKET_CONFIG_SELLER_ID'] = 'ID продавца Ozon Rocket (SELLER_ID)';
$MESS['OZONROCKET_CONFIG_DEFAULT_WAREHOUSE_ID'] = 'Склад отгрузки по умолчанию (DEFAULT_WAREHOUSE_ID)';
$MESS['OZONROCKET_CONFIG_PARTIAL_ACCEPT'] = 'Разрешить частичный выкуп (PARTIAL_ACCEPT)';
$MESS['OZONROCKET_CONFIG_PACKAGE'] = 'Упаковка по умолчанию';
$MESS['OZONROCKET_CONFIG_PACKAGE_DESCRIPTION'] = 'Для товаров без веса или габаритов. Вес в граммах, размеры в миллиметрах.';
$MESS['OZONROCKET_CONFIG_WEIGHT'] = 'Вес, г';
$MESS['OZONROCKET_CONFIG_LENGTH'] = 'Длина, мм';
$MESS['OZONROCKET_CONFIG_WIDTH'] = 'Ширина, мм';
$MESS['OZONROCKET_CONFIG_HEIGHT'] = 'Высота, мм';
$MESS['OZONROCKET_CONFIG_PRICING'] = 'Цена для покупателя';
$MESS['OZONROCKET_CONFIG_PRICING_DESCRIPTION'] = 'Мост применяет эти правила к тарифам Ozon Rocket: наценка, затем бесплатная доставка, затем округление вверх.';
$MESS['OZONROCKET_CONFIG_STRATEGY'] = 'Какой вариант выбирать';
$MESS['OZONROCKET_STRATEGY_CHEAPEST'] = 'Самый дешёвый';
$MESS['OZONROCKET_STRATEGY_FASTEST'] = 'Самый быстрый';
$MESS['OZONROCKET_STRATEGY_FIXED'] = 'Только указанный тип доставки';
$MESS['OZONROCKET_CONFIG_FIXED_DELIVERY_TYPE'] = 'Тип доставки для стратегии «только указанный»';
$MESS['OZONROCKET_CONFIG_MARKUP_PERCENT'] = 'Наценка, %';
$MESS['OZONROCKET_CONFIG_MARKUP_FIXED'] = 'Наценка, руб. (может быть отрицательной)';
$MESS['OZONROCKET_CONFIG_FREE_DELIVERY_FROM'] = 'Бесплатная доставка от суммы заказа, руб. (пусто — нет)';
$MESS['OZONROCKET_CONFIG_ROUNDING'] = 'Округление цены вверх';
$MESS['OZONROCKET_ROUNDING_NONE'] = 'Не округлять';
$MESS['OZONROCKET_ROUNDING_CEIL_1'] = 'До рубля';
$MESS['OZONROCKET_ROUNDING_CEIL_10'] = 'До 10 рублей';
$MESS['OZONROCKET_ROUNDING_CEIL_50'] = 'До 50 рублей';
$MESS['OZONROCKET_CONFIG_FALLBACK_PRICE'] = 'Цена, если Ozon Rocket не ответил, руб. (пусто — не показывать доставку)';

$MESS['OZONROCKET_CONFIG_BRIDGE_INCOMPLETE'] = 'Не заданы адрес моста, ID магазина или токен.';
$MESS['OZONROCKET_CONFIG_OZON_INCOMPLETE'] = 'Не заданы OZON_API_KEY (не короче 4 символов), SELLER_ID или DEFAULT_WAREHOUSE_ID.';
$MESS['OZONROCKET_CONFIG_FIXED_NEEDS_TYPE'] = 'Для стратегии «только указанный тип» выберите тип доставки.';
$MESS['OZONROCKET_MIRROR_OK'] = 'Настройки переданы в мост #AT#.';
$MESS['OZONROCKET_MIRROR_FAILED'] = 'Мост не принял настройки (#AT#): расчёт доставки будет идти по старым настройкам моста. Исправьте и сохраните ещё раз.';

$MESS['OZONROCKET_CHOOSE_PICKUP_POINT'] = 'Выберите пункт выдачи Ozon Rocket.';
$MESS['OZONROCKET_NEED_CITY'] = 'Укажите город доставки.';
$MESS['OZONROCKET_BRIDGE_UNAVAILABLE'] = 'Доставка Ozon Rocket временно недоступна, выберите другой способ или повторите позже.';
$MESS['OZONROCKET_CALCULATION_REFUSED'] = 'Не удалось рассчитать доставку Ozon Rocket: #DETAIL#';
$MESS['OZONROCKET_NO_DELIVERY_HERE'] = 'Ozon Rocket не доставляет этим способом по этому адресу.';
$MESS['OZONROCKET_PICKUP_POINT_CHOSEN'] = 'Пункт выдачи: #ID#';
$MESS['OZONROCKET_PERIOD_DAYS'] = '#DAYS# дн.';
$MESS['OZONROCKET_PERIOD_RANGE'] = '#FROM#–#TO# дн.';

$MESS['OZONROCKET_SHIPMENT_EMPTY'] = 'В отгрузке нет товаров.';
$MESS['OZONROCKET_SHIPMENT_NO_NAME'] = 'Не указано имя получателя.';
$MESS['OZONROCKET_SHIPMENT_NO_PHONE'] = 'Не указан телефон получателя.';
$MESS['OZONROCKET_SHIPMENT_NO_ADDRESS'] = 'Не указан город доставки.';
$MESS['OZONROCKET_SHIPMENT_NO_PICKUP_POINT'] = 'Не выбран пункт выдачи (свойство заказа).';
$MESS['OZONROCKET_SHIPMENT_FRACTIONAL'] = 'Ozon Rocket принимает только целое количество: «#NAME#» — #QUANTITY#.';
$MESS['OZONROCKET_SHIPMENT_NOT_SAVED'] = 'Сначала сохраните отгрузку.';
$MESS['OZONROCKET_SEND_FAILED'] = 'Ozon Rocket: не отправлено: #REASON#';
$MESS['OZONROCKET_SENT'] = 'Ozon Rocket: отправлено, заказ #OZON_ORDER#, трек #TRACKING#.';
$MESS['OZONROCKET_NOT_OZON_SHIPMENT'] = 'Ozon Rocket: это не отгрузка Ozon Rocket.';
$MESS['OZONROCKET_CANCEL_NOT_SENT'] = 'Ozon Rocket: отгрузка не найдена в мосте — отменять нечего.';
$MESS['OZONROCKET_CANCEL_REFUSED'] = 'Ozon Rocket: отменить нельзя: #REASON#';
$MESS['OZONROCKET_CANCEL_FAILED'] = 'Ozon Rocket: отмена не удалась, попробуйте ещё раз: #REASON#';
$MESS['OZONROCKET_CANCELLED'] = 'Ozon Rocket: отгрузка отменена (#STATUS#).';

$MESS['OZONROCKET_PANEL_STATUS'] = 'Ozon Rocket';
$MESS['OZONROCKET_PANEL_STATUS_LINE'] = 'Статус: #STATUS#; заказ Ozon: #OZON_ORDER#; трек: #TRACKING#.';
$MESS['OZONROCKET_PANEL_LAST_ERROR'] = 'Последняя ошибка: #ERROR#';
$MESS['OZONROCKET_PANEL_NOT_SENT'] = 'Не отправлено в Ozon Rocket.';
$MESS['OZONROCKET_PANEL_BRIDGE_DOWN'] = 'Нет связи с мостом (#REASON#). Заказ Ozon: #OZON_ORDER#; трек: #TRACKING#.';
$MESS['OZONROCKET_PANEL_SEND'] = 'Отправить в Ozon Rocket при сохранении';
$MESS['OZONROCKET_PANEL_CANCEL'] = 'Отменить в Ozon Rocket при сохранении';

$MESS['OZONROCKET_STATUS_PENDING'] = 'ожидает подтверждения Ozon';
$MESS['OZONROCKET_STATUS_CREATED'] = 'создан';
$MESS['OZONROCKET_STATUS_IN_TRANSIT'] = 'в пути';
$MESS['OZONROCKET_STATUS_ARRIVED'] = 'ожидает получателя';
$MESS['OZONROCKET_STATUS_DELIVERED'] = 'доставлен';
$MESS['OZONROCKET_STATUS_PARTIAL_DELIVERED'] = 'выкуплен частично';
$MESS['OZONROCKET_STATUS_RETURNED'] = 'возвращён';
$MESS['OZONROCKET_STATUS_CANCELLED'] = 'отменён';

$MESS['OZONROCKET_INNER_ACCOUNT'] = 'Внутренний счёт';
$MESS['OZONROCKET_MANUAL_REFUND'] = 'Ozon Rocket: вернуть покупателю #AMOUNT# RUB вручную.';

$MESS['OZONROCKET_JS_CHOOSE'] = 'Выбрать пункт выдачи';
$MESS['OZONROCKET_JS_CHANGE'] = 'Выбрать другой пункт';
$MESS['OZONROCKET_JS_CHOSEN'] = 'Пункт выдачи:';
$MESS['OZONROCKET_JS_CLOSE'] = 'Закрыть';
$MESS['OZONROCKET_JS_TITLE'] = 'Пункты выдачи Ozon Rocket';
