<?php

declare(strict_types=1);

$MESS['OZONROCKET_MODULE_NAME'] = 'Ozon Rocket: доставка через мост';
$MESS['OZONROCKET_MODULE_DESCRIPTION'] = 'Служба доставки Ozon Rocket (курьер, пункты выдачи, Next Day), автоматическая передача отгрузок, выбор пункта выдачи в оформлении заказа, частичный выкуп и возвраты внутри Битрикса.';
$MESS['OZONROCKET_PARTNER_NAME'] = 'Ozon Rocket Bridge';
$MESS['OZONROCKET_INSTALL_PHP'] = 'Модулю нужен PHP 8.1 или новее.';
$MESS['OZONROCKET_INSTALL_NEEDS_SALE'] = 'Модулю нужен модуль «Интернет-магазин» (sale).';
$MESS['OZONROCKET_UNINSTALL_TITLE'] = 'Удаление модуля Ozon Rocket';
$MESS['OZONROCKET_UNINSTALL_KEEP'] = 'Сохранить данные: журнал операций частичного выкупа, свойство заказа OZON_PVZ и настройки модуля';
$MESS['OZONROCKET_UNINSTALL_KEEP_HINT'] = 'Службы доставки Ozon Rocket будут выключены (их настройки останутся). Обработчики событий, REST-методы и скрипт оформления заказа будут удалены.';
$MESS['OZONROCKET_PROPERTY_NAME'] = 'Пункт выдачи Ozon Rocket';
$MESS['OZONROCKET_PROPERTY_DESCRIPTION'] = 'Заполняется при выборе пункта выдачи на карте Ozon Rocket.';
