<?php

declare(strict_types=1);

$MESS['OZONROCKET_OPT_TAB'] = 'Ozon Rocket';
$MESS['OZONROCKET_OPT_TAB_TITLE'] = 'Отгрузки, возвраты и оформление заказа';
$MESS['OZONROCKET_OPT_SAVE'] = 'Сохранить';
$MESS['OZONROCKET_OPT_SAVED'] = 'Настройки сохранены.';
$MESS['OZONROCKET_OPT_NONE'] = '— не выбрано —';
$MESS['OZONROCKET_OPT_TRIGGER'] = 'Когда передавать отгрузку в Ozon Rocket';
$MESS['OZONROCKET_OPT_TRIGGER_HINT'] = 'Отгрузка с доставкой Ozon Rocket уходит в мост один раз; номер заказа Ozon и трек-номер записываются в отгрузку.';
$MESS['OZONROCKET_OPT_TRIGGER_ALLOW_DELIVERY'] = 'Когда разрешена доставка (флажок «Разрешить доставку»)';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS'] = 'Когда заказ получает статус (ниже)';
$MESS['OZONROCKET_OPT_TRIGGER_OFF'] = 'Только вручную (в карточке отгрузки)';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS_ID'] = 'Статус заказа для передачи';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS_ID_HINT'] = 'Используется, если выбрано «Когда заказ получает статус».';
$MESS['OZONROCKET_OPT_COD'] = 'Платёжные системы с оплатой при получении';
$MESS['OZONROCKET_OPT_COD_HINT'] = 'Неоплаченный заказ с такой оплатой уходит в Ozon Rocket как «оплата при получении»; остальные — как предоплаченные.';
$MESS['OZONROCKET_OPT_INNER_ACCOUNT'] = 'Возвращать на внутренний счёт покупателя, если платёжная система не умеет возвраты';
$MESS['OZONROCKET_OPT_INNER_ACCOUNT_HINT'] = 'Иначе модуль оставит менеджеру задачу: комментарий в заказе и статус ниже.';
$MESS['OZONROCKET_OPT_MANUAL_STATUS'] = 'Статус заказа, когда деньги нужно вернуть вручную';
$MESS['OZONROCKET_OPT_MANUAL_STATUS_HINT'] = 'Пусто — статус не меняется, остаётся только комментарий.';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE'] = 'Стоимость доставки при частичном выкупе';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_HINT'] = 'Мост сообщает, сколько доставки покупатель ещё должен (0 — вернуть доставку).';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_BRIDGE'] = 'Как решил мост';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_KEEP'] = 'Не менять';
$MESS['OZONROCKET_OPT_PICKUP_PROPERTY'] = 'Код свойства заказа с пунктом выдачи';
$MESS['OZONROCKET_OPT_PICKUP_PROPERTY_HINT'] = 'Модуль создал свойство OZON_PVZ для каждого типа плательщика.';
$MESS['OZONROCKET_OPT_CITY_PROPERTY'] = 'Код свойства заказа с городом';
$MESS['OZONROCKET_OPT_CITY_PROPERTY_HINT'] = 'Если свойство пустое или его нет, город берётся из местоположения доставки.';
