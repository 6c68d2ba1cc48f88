<?php // asks for the one-time code the bank sent
