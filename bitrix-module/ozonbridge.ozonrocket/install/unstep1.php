<?php

declare(strict_types=1);

use Bitrix\Main\Localization\Loc;

defined('B_PROLOG_INCLUDED') && B_PROLOG_INCLUDED === true || die();

Loc::loadMessages(__DIR__ . '/index.php');
global $APPLICATION;
?>
<form action="<?= htmlspecialcharsbx($APPLICATION->GetCurPage()) ?>" method="get">
    <?= bitrix_sessid_post() ?>
    <input type="hidden" name="lang" value="<?= htmlspecialcharsbx(LANGUAGE_ID) ?>">
    <input type="hidden" name="id" value="ozonbridge.ozonrocket">
    <input type="hidden" name="uninstall" value="Y">
    <input type="hidden" name="step" value="2">
    <?php CAdminMessage::ShowMessage(Loc::getMessage('MOD_UNINST_WARN')); ?>
    <p><?= Loc::getMessage('OZONROCKET_UNINSTALL_KEEP_HINT') ?></p>
    <p>
        <input type="checkbox" name="savedata" id="savedata" value="Y" checked>
        <label for="savedata"><?= Loc::getMessage('OZONROCKET_UNINSTALL_KEEP') ?></label>
    </p>
    <input type="submit" name="inst" value="<?= Loc::getMessage('MOD_UNINST_DEL') ?>">
</form>
