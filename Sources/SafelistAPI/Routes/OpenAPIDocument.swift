/// The OpenAPI 3.1 document of every route Safelist serves, written by hand (not generated from
/// the code, so it says what the API promises, and a test and schemathesis hold the code to it):
/// Cloudflare's seven allow-policy operations, evaluate, the audit trail, token verification,
/// the probes, `/metrics` and itself. Served at `GET /openapi.json`; a client generator or
/// Postman reads it from there. Edit it with the route: `OpenAPITests` fails while a route and
/// the document disagree, and `scripts/test` runs schemathesis against the live server.
enum OpenAPIDocument {
    static let json = ##"""
        {
         "openapi": "3.1.0",
         "info": {
          "title": "Safelist",
          "version": "0.1.0",
          "summary": "Cloudflare-compatible Email Security allow policies, self-hosted.",
          "description": "Cloudflare's v4 allow-policy API as Safelist serves it, and Safelist's own routes (evaluate, audit, token verification, health, metrics). Every /client/v4 route is also served without that prefix. docs/api.md lists each deviation from Cloudflare.",
          "license": {
           "name": "Apache-2.0",
           "identifier": "Apache-2.0"
          }
         },
         "servers": [
          {
           "url": "/",
           "description": "This server"
          }
         ],
         "security": [
          {
           "apiToken": []
          },
          {
           "apiEmail": [],
           "apiKey": []
          }
         ],
         "tags": [
          {
           "name": "Allow policies"
          },
          {
           "name": "Safelist"
          }
         ],
         "paths": {
          "/client/v4/accounts/{account_id}/email-security/settings/allow_policies": {
           "get": {
            "operationId": "listAllowPolicies",
            "tags": [
             "Allow policies"
            ],
            "summary": "List allow policies",
            "description": "Needs Read.",
            "parameters": [
             {
              "$ref": "#/components/parameters/AccountID"
             },
             {
              "name": "page",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "default": 1
              },
              "description": "Page number, from 1."
             },
             {
              "name": "per_page",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "maximum": 1000,
               "default": 20
              },
              "description": "Policies per page."
             },
             {
              "name": "order",
              "in": "query",
              "required": false,
              "schema": {
               "enum": [
                "pattern",
                "created_at"
               ]
              },
              "description": "Sort field."
             },
             {
              "name": "direction",
              "in": "query",
              "required": false,
              "schema": {
               "enum": [
                "asc",
                "desc"
               ]
              },
              "description": "Sort direction."
             },
             {
              "name": "pattern",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "Policies with exactly this pattern."
             },
             {
              "name": "pattern_type",
              "in": "query",
              "required": false,
              "schema": {
               "enum": [
                "EMAIL",
                "DOMAIN",
                "IP",
                "UNKNOWN"
               ]
              },
              "description": "Policies of this pattern type."
             },
             {
              "name": "search",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "Policies whose pattern or comments contain this text, case-insensitively."
             },
             {
              "name": "is_trusted_sender",
              "in": "query",
              "required": false,
              "schema": {
               "type": "boolean"
              },
              "description": "Policies with is_trusted_sender set to this value."
             },
             {
              "name": "is_exempt_recipient",
              "in": "query",
              "required": false,
              "schema": {
               "type": "boolean"
              },
              "description": "Policies with is_exempt_recipient set to this value."
             },
             {
              "name": "is_acceptable_sender",
              "in": "query",
              "required": false,
              "schema": {
               "type": "boolean"
              },
              "description": "Policies with is_acceptable_sender set to this value."
             },
             {
              "name": "verify_sender",
              "in": "query",
              "required": false,
              "schema": {
               "type": "boolean"
              },
              "description": "Policies with verify_sender set to this value."
             }
            ],
            "responses": {
             "200": {
              "description": "A page of policies.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result",
                  "result_info"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Policy"
                   }
                  },
                  "result_info": {
                   "$ref": "#/components/schemas/ResultInfo"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           },
           "post": {
            "operationId": "createAllowPolicy",
            "tags": [
             "Allow policies"
            ],
            "summary": "Create an allow policy",
            "description": "Needs Write.",
            "parameters": [
             {
              "$ref": "#/components/parameters/AccountID"
             }
            ],
            "requestBody": {
             "required": true,
             "description": "The new policy.",
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/PolicyCreate"
               }
              }
             }
            },
            "responses": {
             "201": {
              "description": "The policy created.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/Policy"
                  }
                 },
                 "additionalProperties": false
                }
               }
              },
              "links": {
               "GetPolicy": {
                "operationId": "getAllowPolicy",
                "parameters": {
                 "account_id": "$request.path.account_id",
                 "policy_id": "$response.body#/result/id"
                },
                "description": "The policy created."
               },
               "EditPolicy": {
                "operationId": "editAllowPolicy",
                "parameters": {
                 "account_id": "$request.path.account_id",
                 "policy_id": "$response.body#/result/id"
                },
                "description": "Edit it."
               },
               "ReplacePolicy": {
                "operationId": "replaceAllowPolicy",
                "parameters": {
                 "account_id": "$request.path.account_id",
                 "policy_id": "$response.body#/result/id"
                },
                "description": "Replace it."
               },
               "DeletePolicy": {
                "operationId": "deleteAllowPolicy",
                "parameters": {
                 "account_id": "$request.path.account_id",
                 "policy_id": "$response.body#/result/id"
                },
                "description": "Delete it."
               },
               "PolicyHistory": {
                "operationId": "listAuditEntries",
                "parameters": {
                 "account_id": "$request.path.account_id",
                 "policy_id": "$response.body#/result/id"
                },
                "description": "Its audit trail."
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/client/v4/accounts/{account_id}/email-security/settings/allow_policies/batch": {
           "post": {
            "operationId": "batchAllowPolicies",
            "tags": [
             "Allow policies"
            ],
            "summary": "Change many policies in one transaction",
            "description": "Deletes, then patches, then puts, then posts; all or nothing. Needs Write.",
            "parameters": [
             {
              "$ref": "#/components/parameters/AccountID"
             }
            ],
            "requestBody": {
             "required": true,
             "description": "The changes.",
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Batch"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "What the batch did.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/BatchResult"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/client/v4/accounts/{account_id}/email-security/settings/allow_policies/evaluate": {
           "post": {
            "operationId": "evaluateMessages",
            "tags": [
             "Safelist"
            ],
            "summary": "What the policies decide for a message (Safelist's own)",
            "description": "Needs Read. One message is the body; a batch is {\"messages\": [...]}, each answered in its place.",
            "parameters": [
             {
              "$ref": "#/components/parameters/AccountID"
             }
            ],
            "requestBody": {
             "required": true,
             "description": "A message, or a batch of them.",
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/EvaluateRequest"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "The evaluation, or one per message.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "oneOf": [
                    {
                     "$ref": "#/components/schemas/Evaluation"
                    },
                    {
                     "type": "array",
                     "items": {
                      "oneOf": [
                       {
                        "$ref": "#/components/schemas/Evaluation"
                       },
                       {
                        "$ref": "#/components/schemas/EvaluationErrors"
                       }
                      ]
                     }
                    }
                   ]
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/client/v4/accounts/{account_id}/email-security/settings/allow_policies/audit": {
           "get": {
            "operationId": "listAuditEntries",
            "tags": [
             "Safelist"
            ],
            "summary": "The account's audit trail, newest first (Safelist's own)",
            "description": "Needs Read.",
            "parameters": [
             {
              "$ref": "#/components/parameters/AccountID"
             },
             {
              "name": "page",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "default": 1
              },
              "description": "Page number, from 1 (newest)."
             },
             {
              "name": "per_page",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "maximum": 1000,
               "default": 20
              },
              "description": "Entries per page."
             },
             {
              "name": "policy_id",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "Only this policy's changes."
             },
             {
              "name": "actor",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "Only this actor's changes: token:ID, user:EMAIL or cli:USER."
             },
             {
              "name": "since",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "format": "date-time"
              },
              "description": "Changes at or after this time."
             },
             {
              "name": "until",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "format": "date-time"
              },
              "description": "Changes before this time."
             }
            ],
            "responses": {
             "200": {
              "description": "A page of audit entries.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result",
                  "result_info"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/AuditEntry"
                   }
                  },
                  "result_info": {
                   "$ref": "#/components/schemas/ResultInfo"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/client/v4/accounts/{account_id}/email-security/settings/allow_policies/{policy_id}": {
           "parameters": [
            {
             "$ref": "#/components/parameters/AccountID"
            },
            {
             "$ref": "#/components/parameters/PolicyID"
            }
           ],
           "get": {
            "operationId": "getAllowPolicy",
            "tags": [
             "Allow policies"
            ],
            "summary": "Get an allow policy",
            "description": "Needs Read.",
            "responses": {
             "200": {
              "description": "The policy.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/Policy"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           },
           "patch": {
            "operationId": "editAllowPolicy",
            "tags": [
             "Allow policies"
            ],
            "summary": "Edit some fields of an allow policy",
            "description": "Needs Write.",
            "requestBody": {
             "required": true,
             "description": "The fields to change; at least one.",
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/PolicyEdit"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "The policy edited.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/Policy"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           },
           "put": {
            "operationId": "replaceAllowPolicy",
            "tags": [
             "Allow policies"
            ],
            "summary": "Replace an allow policy",
            "description": "Needs Write.",
            "requestBody": {
             "required": true,
             "description": "Every field of the policy.",
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/PolicyCreate"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "The policy replaced.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/Policy"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           },
           "delete": {
            "operationId": "deleteAllowPolicy",
            "tags": [
             "Allow policies"
            ],
            "summary": "Delete an allow policy",
            "description": "Needs Write. A body, if any, is ignored.",
            "responses": {
             "200": {
              "description": "The id of the policy deleted.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/Deleted"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/client/v4/user/tokens/verify": {
           "get": {
            "operationId": "verifyToken",
            "tags": [
             "Safelist"
            ],
            "summary": "Verify the API token sent",
            "description": "As Cloudflare answers it. A Global API key gets 400/6003.",
            "responses": {
             "200": {
              "description": "The token is valid and active.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "$ref": "#/components/schemas/TokenStatus"
                  }
                 },
                 "additionalProperties": false
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/healthz": {
           "get": {
            "operationId": "health",
            "tags": [
             "Safelist"
            ],
            "summary": "The process answers",
            "security": [],
            "responses": {
             "200": {
              "description": "Alive.",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Health"
                }
               }
              }
             }
            }
           }
          },
          "/readyz": {
           "get": {
            "operationId": "ready",
            "tags": [
             "Safelist"
            ],
            "summary": "The store answers and the engine has loaded every account",
            "security": [],
            "responses": {
             "200": {
              "description": "Ready.",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Readiness"
                }
               }
              }
             },
             "503": {
              "description": "Not ready yet, or the store does not answer.",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Readiness"
                }
               }
              }
             }
            }
           }
          },
          "/metrics": {
           "get": {
            "operationId": "metrics",
            "tags": [
             "Safelist"
            ],
            "summary": "Prometheus metrics",
            "description": "Without credentials from loopback by default (serve --metrics-access); 404-like 400/7003 when metrics are off.",
            "security": [
             {},
             {
              "apiToken": []
             }
            ],
            "responses": {
             "200": {
              "description": "The Prometheus text exposition format.",
              "content": {
               "text/plain": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          },
          "/openapi.json": {
           "get": {
            "operationId": "openapi",
            "tags": [
             "Safelist"
            ],
            "summary": "This document",
            "security": [],
            "responses": {
             "200": {
              "description": "OpenAPI 3.1.",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "openapi",
                  "paths"
                 ]
                }
               }
              }
             }
            }
           }
          },
          "/client/v4/safelist/reset": {
           "post": {
            "operationId": "resetPolicies",
            "tags": [
             "Safelist"
            ],
            "summary": "Empty one account, or every account, of its policies (Safelist's own, for test suites)",
            "description": "Refused with 403/25063 unless the server was started with --allow-reset, and to a credential without Write on every account.",
            "parameters": [
             {
              "name": "account_id",
              "in": "query",
              "required": false,
              "description": "The account to empty (repeatable); every account when absent.",
              "schema": {
               "type": "string",
               "pattern": "^[0-9a-f]{32}$"
              }
             }
            ],
            "responses": {
             "200": {
              "description": "How many policies were deleted.",
              "headers": {
               "X-Request-ID": {
                "$ref": "#/components/headers/RequestID"
               }
              },
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "success",
                  "errors",
                  "messages",
                  "result"
                 ],
                 "additionalProperties": false,
                 "properties": {
                  "success": {
                   "const": true
                  },
                  "errors": {
                   "type": "array",
                   "maxItems": 0
                  },
                  "messages": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Message"
                   }
                  },
                  "result": {
                   "type": "object",
                   "required": [
                    "deleted"
                   ],
                   "additionalProperties": false,
                   "properties": {
                    "deleted": {
                     "type": "integer",
                     "minimum": 0
                    }
                   }
                  }
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Failure"
             }
            }
           }
          }
         },
         "components": {
          "securitySchemes": {
           "apiToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (safelist token create)."
           },
           "apiEmail": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Email",
            "description": "A user's email, with X-Auth-Key."
           },
           "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Key",
            "description": "A user's Global API key (safelist user create)."
           }
          },
          "headers": {
           "RequestID": {
            "description": "The id of this request's line in the request log.",
            "schema": {
             "type": "string"
            }
           }
          },
          "parameters": {
           "AccountID": {
            "name": "account_id",
            "in": "path",
            "required": true,
            "description": "The account: 32 hexadecimal characters.",
            "schema": {
             "type": "string",
             "pattern": "^[0-9a-f]{32}$"
            }
           },
           "PolicyID": {
            "name": "policy_id",
            "in": "path",
            "required": true,
            "description": "The policy's id: a UUID (upper or lower case).",
            "schema": {
             "type": "string",
             "format": "uuid",
             "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
            }
           }
          },
          "responses": {
           "Failure": {
            "description": "Refused: every problem, each with its code and, for a field, its pointer (docs/errors.md).",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/FailureEnvelope"
              }
             }
            }
           }
          },
          "schemas": {
           "Message": {
            "type": "object",
            "required": [
             "code",
             "message"
            ],
            "properties": {
             "code": {
              "type": "integer"
             },
             "message": {
              "type": "string"
             },
             "source": {
              "$ref": "#/components/schemas/Source"
             },
             "error_chain": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Message"
              }
             }
            }
           },
           "Source": {
            "type": "object",
            "properties": {
             "pointer": {
              "type": "string"
             },
             "parameter": {
              "type": "string"
             }
            },
            "additionalProperties": false
           },
           "FailureEnvelope": {
            "type": "object",
            "required": [
             "success",
             "errors",
             "messages",
             "result"
            ],
            "additionalProperties": false,
            "properties": {
             "success": {
              "const": false
             },
             "errors": {
              "type": "array",
              "minItems": 1,
              "items": {
               "$ref": "#/components/schemas/Message"
              }
             },
             "messages": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Message"
              }
             },
             "result": {
              "type": "null"
             }
            }
           },
           "ResultInfo": {
            "type": "object",
            "required": [
             "page",
             "per_page",
             "count",
             "total_count"
            ],
            "additionalProperties": false,
            "properties": {
             "page": {
              "type": "integer",
              "minimum": 0
             },
             "per_page": {
              "type": "integer",
              "minimum": 0
             },
             "count": {
              "type": "integer",
              "minimum": 0
             },
             "total_count": {
              "type": "integer",
              "minimum": 0
             }
            }
           },
           "Policy": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "id",
             "created_at",
             "modified_at",
             "last_modified",
             "pattern",
             "pattern_type",
             "is_regex",
             "comments",
             "is_trusted_sender",
             "is_exempt_recipient",
             "is_acceptable_sender",
             "verify_sender",
             "is_sender",
             "is_recipient",
             "is_spoof"
            ],
            "properties": {
             "id": {
              "type": "string"
             },
             "created_at": {
              "type": "string",
              "format": "date-time"
             },
             "modified_at": {
              "type": "string",
              "format": "date-time"
             },
             "last_modified": {
              "type": "string",
              "format": "date-time",
              "deprecated": true
             },
             "pattern": {
              "type": "string"
             },
             "pattern_type": {
              "enum": [
               "EMAIL",
               "DOMAIN",
               "IP",
               "UNKNOWN"
              ]
             },
             "is_regex": {
              "type": "boolean"
             },
             "comments": {
              "type": [
               "string",
               "null"
              ]
             },
             "is_trusted_sender": {
              "type": "boolean"
             },
             "is_exempt_recipient": {
              "type": "boolean"
             },
             "is_acceptable_sender": {
              "type": "boolean"
             },
             "verify_sender": {
              "type": "boolean"
             },
             "is_sender": {
              "type": "boolean",
              "deprecated": true,
              "description": "Mirrors is_trusted_sender."
             },
             "is_recipient": {
              "type": "boolean",
              "deprecated": true,
              "description": "Mirrors is_exempt_recipient."
             },
             "is_spoof": {
              "type": "boolean",
              "deprecated": true,
              "description": "Mirrors is_acceptable_sender."
             }
            }
           },
           "PolicyCreate": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "pattern",
             "pattern_type",
             "is_regex",
             "verify_sender"
            ],
            "description": "is_trusted_sender, is_exempt_recipient and is_acceptable_sender are required too, each or its deprecated alias.",
            "properties": {
             "pattern": {
              "type": "string",
              "minLength": 1,
              "maxLength": 1024
             },
             "pattern_type": {
              "enum": [
               "EMAIL",
               "DOMAIN",
               "IP"
              ]
             },
             "is_regex": {
              "type": "boolean"
             },
             "comments": {
              "type": [
               "string",
               "null"
              ],
              "maxLength": 1024
             },
             "is_trusted_sender": {
              "type": "boolean"
             },
             "is_exempt_recipient": {
              "type": "boolean"
             },
             "is_acceptable_sender": {
              "type": "boolean"
             },
             "verify_sender": {
              "type": "boolean"
             },
             "is_sender": {
              "type": "boolean",
              "deprecated": true
             },
             "is_recipient": {
              "type": "boolean",
              "deprecated": true
             },
             "is_spoof": {
              "type": "boolean",
              "deprecated": true
             }
            },
            "examples": [
             {
              "pattern": "billing@partner.example",
              "pattern_type": "EMAIL",
              "is_regex": false,
              "is_trusted_sender": true,
              "is_exempt_recipient": false,
              "is_acceptable_sender": false,
              "verify_sender": true,
              "comments": "Invoices from our partner"
             },
             {
              "pattern": "203.0.113.0/24",
              "pattern_type": "IP",
              "is_regex": false,
              "is_trusted_sender": false,
              "is_exempt_recipient": false,
              "is_acceptable_sender": true,
              "verify_sender": false,
              "comments": null
             }
            ]
           },
           "PolicyEdit": {
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
             "pattern": {
              "type": "string",
              "minLength": 1,
              "maxLength": 1024
             },
             "pattern_type": {
              "enum": [
               "EMAIL",
               "DOMAIN",
               "IP"
              ]
             },
             "is_regex": {
              "type": "boolean"
             },
             "comments": {
              "type": [
               "string",
               "null"
              ],
              "maxLength": 1024
             },
             "is_trusted_sender": {
              "type": "boolean"
             },
             "is_exempt_recipient": {
              "type": "boolean"
             },
             "is_acceptable_sender": {
              "type": "boolean"
             },
             "verify_sender": {
              "type": "boolean"
             },
             "is_sender": {
              "type": "boolean",
              "deprecated": true
             },
             "is_recipient": {
              "type": "boolean",
              "deprecated": true
             },
             "is_spoof": {
              "type": "boolean",
              "deprecated": true
             }
            },
            "examples": [
             {
              "comments": "Reviewed"
             },
             {
              "is_exempt_recipient": true
             }
            ]
           },
           "Batch": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
             "deletes": {
              "type": "array",
              "maxItems": 1000,
              "items": {
               "type": "object",
               "required": [
                "id"
               ],
               "properties": {
                "id": {
                 "type": "string"
                }
               },
               "additionalProperties": false
              }
             },
             "patches": {
              "type": "array",
              "maxItems": 1000,
              "items": {
               "allOf": [
                {
                 "$ref": "#/components/schemas/PolicyEdit"
                }
               ],
               "required": [
                "id"
               ],
               "properties": {
                "id": {
                 "type": "string"
                }
               }
              }
             },
             "puts": {
              "type": "array",
              "maxItems": 1000,
              "items": {
               "allOf": [
                {
                 "$ref": "#/components/schemas/PolicyCreate"
                }
               ],
               "required": [
                "id"
               ],
               "properties": {
                "id": {
                 "type": "string"
                }
               }
              }
             },
             "posts": {
              "type": "array",
              "maxItems": 1000,
              "items": {
               "$ref": "#/components/schemas/PolicyCreate"
              }
             }
            }
           },
           "BatchResult": {
            "type": "object",
            "required": [
             "deletes",
             "patches",
             "puts",
             "posts"
            ],
            "additionalProperties": false,
            "properties": {
             "deletes": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Deleted"
              }
             },
             "patches": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Policy"
              }
             },
             "puts": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Policy"
              }
             },
             "posts": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Policy"
              }
             }
            }
           },
           "Deleted": {
            "type": "object",
            "required": [
             "id"
            ],
            "properties": {
             "id": {
              "type": "string"
             }
            },
            "additionalProperties": false
           },
           "AuthResult": {
            "oneOf": [
             {
              "enum": [
               "pass",
               "fail",
               "softfail",
               "neutral",
               "none",
               "temperror",
               "permerror",
               "policy"
              ]
             },
             {
              "type": "object",
              "required": [
               "result"
              ],
              "properties": {
               "result": {
                "enum": [
                 "pass",
                 "fail",
                 "softfail",
                 "neutral",
                 "none",
                 "temperror",
                 "permerror",
                 "policy"
                ]
               },
               "domain": {
                "type": "string"
               }
              },
              "additionalProperties": false
             }
            ]
           },
           "MailMessage": {
            "type": "object",
            "required": [
             "envelope_from",
             "recipients"
            ],
            "additionalProperties": false,
            "properties": {
             "envelope_from": {
              "type": "string"
             },
             "header_from": {
              "type": "string"
             },
             "reply_to": {
              "type": "array",
              "items": {
               "type": "string"
              }
             },
             "recipients": {
              "type": "array",
              "minItems": 1,
              "maxItems": 1000,
              "items": {
               "type": "string"
              }
             },
             "client_ip": {
              "type": "string"
             },
             "client_hostname": {
              "type": "string"
             },
             "auth": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
               "spf": {
                "$ref": "#/components/schemas/AuthResult"
               },
               "dmarc": {
                "$ref": "#/components/schemas/AuthResult"
               },
               "dkim": {
                "oneOf": [
                 {
                  "$ref": "#/components/schemas/AuthResult"
                 },
                 {
                  "type": "array",
                  "items": {
                   "$ref": "#/components/schemas/AuthResult"
                  }
                 }
                ]
               }
              }
             },
             "authentication_results": {
              "type": "array",
              "items": {
               "type": "string"
              }
             },
             "disposition": {
              "enum": [
               "MALICIOUS",
               "MALICIOUS-BEC",
               "SUSPICIOUS",
               "SPOOF",
               "SPAM",
               "BULK",
               "NONE"
              ]
             }
            },
            "examples": [
             {
              "envelope_from": "<ann@example.com>",
              "header_from": "Ann <ann@example.com>",
              "recipients": [
               "<ceo@corp.example>"
              ],
              "client_ip": "203.0.113.9",
              "auth": {
               "spf": {
                "result": "pass",
                "domain": "example.com"
               },
               "dmarc": "pass"
              }
             }
            ]
           },
           "EvaluateRequest": {
            "oneOf": [
             {
              "$ref": "#/components/schemas/MailMessage"
             },
             {
              "type": "object",
              "required": [
               "messages"
              ],
              "additionalProperties": false,
              "properties": {
               "messages": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {
                 "$ref": "#/components/schemas/MailMessage"
                }
               }
              }
             }
            ]
           },
           "Match": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "policy_id",
             "pattern",
             "pattern_type",
             "is_regex",
             "subject",
             "subject_index",
             "value",
             "grants",
             "honored",
             "reason"
            ],
            "properties": {
             "policy_id": {
              "type": "string"
             },
             "pattern": {
              "type": "string"
             },
             "pattern_type": {
              "enum": [
               "EMAIL",
               "DOMAIN",
               "IP",
               "UNKNOWN"
              ]
             },
             "is_regex": {
              "type": "boolean"
             },
             "subject": {
              "type": "string"
             },
             "subject_index": {
              "type": [
               "integer",
               "null"
              ]
             },
             "value": {
              "type": "string"
             },
             "grants": {
              "type": "array",
              "items": {
               "type": "string"
              }
             },
             "honored": {
              "type": "boolean"
             },
             "reason": {
              "type": [
               "string",
               "null"
              ]
             }
            }
           },
           "Evaluation": {
            "type": "object",
            "required": [
             "matches",
             "effects"
            ],
            "additionalProperties": false,
            "properties": {
             "matches": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Match"
              }
             },
             "effects": {
              "type": "object",
              "additionalProperties": false,
              "required": [
               "trusted_sender",
               "acceptable_sender",
               "exempt_recipients",
               "disposition",
               "recipients"
              ],
              "properties": {
               "trusted_sender": {
                "type": "boolean"
               },
               "acceptable_sender": {
                "type": "boolean"
               },
               "exempt_recipients": {
                "type": "array",
                "items": {
                 "type": "string"
                }
               },
               "disposition": {
                "type": [
                 "string",
                 "null"
                ]
               },
               "recipients": {
                "type": "array",
                "items": {
                 "type": "object",
                 "required": [
                  "address",
                  "exempt",
                  "disposition"
                 ],
                 "additionalProperties": false,
                 "properties": {
                  "address": {
                   "type": "string"
                  },
                  "exempt": {
                   "type": "boolean"
                  },
                  "disposition": {
                   "type": [
                    "string",
                    "null"
                   ]
                  }
                 }
                }
               }
              }
             }
            }
           },
           "EvaluationErrors": {
            "type": "object",
            "required": [
             "errors"
            ],
            "additionalProperties": false,
            "properties": {
             "errors": {
              "type": "array",
              "minItems": 1,
              "items": {
               "$ref": "#/components/schemas/Message"
              }
             }
            }
           },
           "AuditEntry": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "id",
             "policy_id",
             "action",
             "via",
             "actor",
             "client",
             "request_id",
             "at",
             "before",
             "after"
            ],
            "properties": {
             "id": {
              "type": "integer"
             },
             "policy_id": {
              "type": "string"
             },
             "action": {
              "enum": [
               "create",
               "edit",
               "replace",
               "delete"
              ]
             },
             "via": {
              "enum": [
               "api",
               "batch",
               "import",
               "cli"
              ]
             },
             "actor": {
              "type": "string"
             },
             "client": {
              "type": [
               "string",
               "null"
              ]
             },
             "request_id": {
              "type": [
               "string",
               "null"
              ]
             },
             "at": {
              "type": "string",
              "format": "date-time"
             },
             "before": {
              "oneOf": [
               {
                "$ref": "#/components/schemas/Policy"
               },
               {
                "type": "null"
               }
              ]
             },
             "after": {
              "oneOf": [
               {
                "$ref": "#/components/schemas/Policy"
               },
               {
                "type": "null"
               }
              ]
             }
            }
           },
           "TokenStatus": {
            "type": "object",
            "required": [
             "id",
             "status"
            ],
            "properties": {
             "id": {
              "type": "string"
             },
             "status": {
              "const": "active"
             },
             "not_before": {
              "type": "string",
              "format": "date-time"
             },
             "expires_on": {
              "type": "string",
              "format": "date-time"
             }
            }
           },
           "Health": {
            "type": "object",
            "required": [
             "status",
             "version"
            ],
            "additionalProperties": false,
            "properties": {
             "status": {
              "const": "ok"
             },
             "version": {
              "type": "string"
             }
            }
           },
           "Readiness": {
            "type": "object",
            "required": [
             "status",
             "version",
             "checks"
            ],
            "additionalProperties": false,
            "properties": {
             "status": {
              "enum": [
               "ready",
               "not ready"
              ]
             },
             "version": {
              "type": "string"
             },
             "checks": {
              "type": "object",
              "additionalProperties": {
               "type": "object",
               "required": [
                "ok",
                "detail"
               ],
               "additionalProperties": false,
               "properties": {
                "ok": {
                 "type": "boolean"
                },
                "detail": {
                 "type": [
                  "string",
                  "null"
                 ]
                }
               }
              }
             }
            }
           }
          }
         }
        }
        """##
}
