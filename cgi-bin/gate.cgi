#!/usr/bin/env node
"use strict";var a=64*1024;
