<?php

declare(strict_types=1);

$arModuleVersion = [
    'VERSION' => '1.0.0',
    'VERSION_DATE' => '2026-12-03 00:00:00',
];
