<?php

declare(strict_types=1);

use Bitrix\Main\Application;
use Bitrix\Main\Config\Option;
use Bitrix\Main\Loader;
use Bitrix\Main\Localization\Loc;
use OzonBridge\OzonRocket\Options;

defined('B_PROLOG_INCLUDED') && B_PROLOG_INCLUDED === true || die();

/** Settings → Module settings → Ozon Rocket: the module-wide options (see README, "Настройки модуля"). */

global $APPLICATION, $USER;

$moduleId = 'ozonbridge.ozonrocket';
if (!$USER->IsAdmin() || !Loader::includeModule($moduleId) || !Loader::includeModule('sale')) {
    return;
}
Loc::loadMessages(__FILE__);

$request = Application::getInstance()->getContext()->getRequest();
$statuses = ['' => Loc::getMessage('OZONROCKET_OPT_NONE')] + \Bitrix\Sale\OrderStatus::getAllStatusesNames(LANGUAGE_ID);
$paySystems = [];
$rows = \Bitrix\Sale\PaySystem\Manager::getList([
    'select' => ['ID', 'NAME'],
    'filter' => ['=ACTIVE' => 'Y'],
    'order' => ['SORT' => 'ASC', 'NAME' => 'ASC'],
]);
while ($row = $rows->fetch()) {
    $paySystems[(int) $row['ID']] = sprintf('[%d] %s', $row['ID'], $row['NAME']);
}

/** name => [type, title code, choices] */
$fields = [
    'shipment_trigger' => ['select', 'OZONROCKET_OPT_TRIGGER', [
        Options::TRIGGER_ALLOW_DELIVERY => Loc::getMessage('OZONROCKET_OPT_TRIGGER_ALLOW_DELIVERY'),
        Options::TRIGGER_STATUS => Loc::getMessage('OZONROCKET_OPT_TRIGGER_STATUS'),
        Options::TRIGGER_OFF => Loc::getMessage('OZONROCKET_OPT_TRIGGER_OFF'),
    ]],
    'shipment_trigger_status' => ['select', 'OZONROCKET_OPT_TRIGGER_STATUS_ID', $statuses],
    'cod_pay_systems' => ['multiselect', 'OZONROCKET_OPT_COD', $paySystems],
    'refund_to_inner_account' => ['checkbox', 'OZONROCKET_OPT_INNER_ACCOUNT', []],
    'manual_refund_status' => ['select', 'OZONROCKET_OPT_MANUAL_STATUS', $statuses],
    'partial_delivery_price' => ['select', 'OZONROCKET_OPT_DELIVERY_PRICE', [
        Options::DELIVERY_PRICE_FROM_BRIDGE => Loc::getMessage('OZONROCKET_OPT_DELIVERY_PRICE_BRIDGE'),
        Options::DELIVERY_PRICE_KEEP => Loc::getMessage('OZONROCKET_OPT_DELIVERY_PRICE_KEEP'),
    ]],
    'pickup_property_code' => ['text', 'OZONROCKET_OPT_PICKUP_PROPERTY', []],
    'city_property_code' => ['text', 'OZONROCKET_OPT_CITY_PROPERTY', []],
];

if ($request->isPost() && $request->getPost('save') !== null && check_bitrix_sessid()) {
    foreach ($fields as $name => [$type]) {
        $value = $request->getPost($name);
        if ($type === 'checkbox') {
            $value = $value === 'Y' ? 'Y' : 'N';
        } elseif ($type === 'multiselect') {
            $value = implode(',', Options::idList(implode(',', is_array($value) ? $value : [])));
        } else {
            $value = trim((string) $value);
        }
        Option::set($moduleId, $name, $value);
    }
    LocalRedirect($APPLICATION->GetCurPage() . '?mid=' . urlencode($moduleId) . '&lang=' . LANGUAGE_ID . '&saved=Y');
}

if ($request->get('saved') === 'Y') {
    CAdminMessage::ShowNote(Loc::getMessage('OZONROCKET_OPT_SAVED'));
}
$tabs = new CAdminTabControl('ozonrocket_options', [
    ['DIV' => 'main', 'TAB' => Loc::getMessage('OZONROCKET_OPT_TAB'), 'TITLE' => Loc::getMessage('OZONROCKET_OPT_TAB_TITLE')],
]);
$current = Options::DEFAULTS;
foreach ($current as $name => $default) {
    $current[$name] = (string) Option::get($moduleId, $name, $default);
}
?>
<form method="post" action="<?= htmlspecialcharsbx($APPLICATION->GetCurPage()) ?>?mid=<?= urlencode($moduleId) ?>&amp;lang=<?= LANGUAGE_ID ?>">
<?= bitrix_sessid_post() ?>
<?php $tabs->Begin(); $tabs->BeginNextTab(); ?>
<?php foreach ($fields as $name => [$type, $title, $choices]): ?>
    <tr>
        <td width="40%" class="adm-detail-content-cell-l">
            <label for="<?= $name ?>"><?= Loc::getMessage($title) ?></label>
        </td>
        <td width="60%" class="adm-detail-content-cell-r">
        <?php if ($type === 'select'): ?>
            <select name="<?= $name ?>" id="<?= $name ?>">
            <?php foreach ($choices as $value => $label): ?>
                <option value="<?= htmlspecialcharsbx((string) $value) ?>"<?= (string) $value === $current[$name] ? ' selected' : '' ?>><?= htmlspecialcharsbx((string) $label) ?></option>
            <?php endforeach; ?>
            </select>
        <?php elseif ($type === 'multiselect'): ?>
            <?php $chosen = Options::idList($current[$name]); ?>
            <select name="<?= $name ?>[]" id="<?= $name ?>" multiple size="<?= min(8, max(3, count($choices))) ?>">
            <?php foreach ($choices as $value => $label): ?>
                <option value="<?= (int) $value ?>"<?= in_array((int) $value, $chosen, true) ? ' selected' : '' ?>><?= htmlspecialcharsbx((string) $label) ?></option>
            <?php endforeach; ?>
            </select>
        <?php elseif ($type === 'checkbox'): ?>
            <input type="checkbox" name="<?= $name ?>" id="<?= $name ?>" value="Y"<?= $current[$name] === 'Y' ? ' checked' : '' ?>>
        <?php else: ?>
            <input type="text" name="<?= $name ?>" id="<?= $name ?>" size="30" value="<?= htmlspecialcharsbx($current[$name]) ?>">
        <?php endif; ?>
            <div class="adm-info-message-wrap"><small><?= Loc::getMessage($title . '_HINT') ?></small></div>
        </td>
    </tr>
<?php endforeach; ?>
<?php $tabs->Buttons(); ?>
<input type="submit" name="save" value="<?= Loc::getMessage('OZONROCKET_OPT_SAVE') ?>" class="adm-btn-save">
<?php $tabs->End(); ?>
</form>
